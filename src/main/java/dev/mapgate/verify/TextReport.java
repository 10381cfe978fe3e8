package dev.mapgate.verify;

import java.util.Locale;

/**
 * The checklist a person reads: one line per check, its status first so the eye can run down the
 * left edge. Colour only marks the status word, so the text reads the same without it.
 */
public final class TextReport {

    private static final String RESET = "\u001B[0m";
    private static final int NAME_WIDTH = "sources-without-credential".length();

    private TextReport() {}

    public static String render(Report report, boolean colour) {
        StringBuilder out = new StringBuilder();
        out.append("mapgate verify ").append(report.url()).append('\n');
        for (CheckResult check : report.checks()) {
            out.append("  ").append(status(check.status(), colour))
                    .append(" ".repeat(6 - check.status().label().length()))
                    .append(String.format(Locale.ROOT, "%-" + NAME_WIDTH + "s", check.name()))
                    .append("  ").append(check.httpStatus() == null ? "   " : String.valueOf(check.httpStatus()))
                    .append("  ");
            if (check.url() != null) {
                out.append(check.url()).append("  ");
            }
            out.append(check.detail()).append('\n');
        }
        out.append('\n').append(summary(report)).append('\n');
        return out.toString();
    }

    static String summary(Report report) {
        String counts = report.count(Status.OK) + " ok, " + report.count(Status.WARN) + " warn, "
                + report.count(Status.FAIL) + " FAIL";
        return switch (report.overall()) {
            case OK -> counts + ": Sentry can fetch your maps, and nobody else can.";
            case WARN -> counts + ": Sentry can fetch your maps, and nobody else can. Read the warnings.";
            case FAIL -> counts + ". Fix the FAIL lines and run verify again. Sentry keeps what it fetched, errors"
                    + " included, for up to an hour, so events may take that long to pick up a fix.";
        };
    }

    private static String status(Status status, boolean colour) {
        if (!colour) {
            return status.label();
        }
        String code = switch (status) {
            case OK -> "\u001B[32m";
            case WARN -> "\u001B[33m";
            case FAIL -> "\u001B[1;31m";
        };
        return code + status.label() + RESET;
    }
}
