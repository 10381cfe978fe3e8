package dev.mapgate.verify;

import java.util.List;

/** Everything {@code verify} found, in checklist order. */
public record Report(String url, List<CheckResult> checks) {

    /** Every check passed, warnings allowed. */
    public static final int EXIT_OK = 0;
    /** At least one check failed. */
    public static final int EXIT_FAIL = 1;
    /** The check could not run: bad input, unreachable host, no map reference. */
    public static final int EXIT_CANNOT_RUN = 2;

    public Report {
        checks = List.copyOf(checks);
    }

    public Status overall() {
        Status worst = Status.OK;
        for (CheckResult check : checks) {
            worst = worst.worst(check.status());
        }
        return worst;
    }

    /** Warnings do not fail the run: they name risks, not broken fetches. */
    public int exitCode() {
        return overall() == Status.FAIL ? EXIT_FAIL : EXIT_OK;
    }

    public long count(Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }

    /** The check with this name, for tests and scripts. */
    public CheckResult check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no check named " + name));
    }
}
