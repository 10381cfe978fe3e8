package dev.mapgate.fuzz;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.TreeMap;

/** The figures a fuzz run prints: what was sent and what came back. */
final class Tally {

    private static final Pattern EXCEPTION = Pattern.compile("([A-Za-z]+(?:Exception|Error))");

    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private final Map<String, Integer> violationKinds = new TreeMap<>();
    private int cases;
    private int mutated;
    private int closedByMapgate;
    private int closedByTimeout;
    private int mapsServed;
    private int informational;
    private int violatingCases;

    void add(FuzzCase c, Outcome o, List<String> violations) {
        cases++;
        if (c.mutated()) {
            mutated++;
        }
        for (Outcome.Response response : o.responses()) {
            statuses.merge(response.status(), 1, Integer::sum);
            if (response.fromMap()) {
                mapsServed++;
            }
        }
        informational += o.informational();
        if (!o.openAfterInput()) {
            closedByMapgate++;
        } else if (o.closedAfterTimeouts()) {
            closedByTimeout++;
        }
        if (!violations.isEmpty()) {
            violatingCases++;
        }
        for (String violation : violations) {
            violationKinds.merge(kind(violation), 1, Integer::sum);
        }
    }

    /** The bracketed kind a violation starts with, and for an exception its class. */
    static String kind(String violation) {
        int end = violation.indexOf(']');
        String kind = violation.startsWith("[") && end > 0 ? violation.substring(1, end) : "other";
        Matcher exception = EXCEPTION.matcher(violation);
        return kind.equals("exception") && exception.find() ? kind + " " + exception.group(1) : kind;
    }

    int mapsServed() {
        return mapsServed;
    }

    int violatingCases() {
        return violatingCases;
    }

    String summary(long seed, double seconds, double cpuSeconds) {
        return summary("fuzz", seed, seconds, cpuSeconds);
    }

    String summary(String label, long seed, double seconds, double cpuSeconds) {
        StringBuilder histogram = new StringBuilder();
        statuses.forEach((status, n) -> histogram.append(histogram.length() == 0 ? "" : " ").append(status).append('=').append(n));
        String cpu = Double.isNaN(cpuSeconds) ? "" : String.format(", %.1f s of CPU", cpuSeconds);
        return String.format("%s: seed=0x%s cases=%d (%d mutated) in %.1f s%s (%.0f cases/s); statuses %s; 100-continue=%d;"
                        + " maps served to entitled requests=%d;"
                        + " connections closed by mapgate=%d, by a client timeout=%d; %d violations",
                label, Long.toHexString(seed), cases, mutated, seconds, cpu, cases / Math.max(seconds, 1e-9), histogram,
                informational, mapsServed, closedByMapgate, closedByTimeout, violatingCases)
                + (violationKinds.isEmpty() ? "" : " " + violationKinds);
    }
}
