package dev.mapgate.admin;

import java.util.Locale;

/**
 * The two text formats {@code /metrics} speaks. Prometheus asks for OpenMetrics in its
 * {@code Accept} header when it can read it (exemplars, {@code # EOF} to detect a cut-off
 * scrape); every other client (curl, a browser) gets the classic text format.
 *
 * <p>Each content type is one that Micrometer's {@code PrometheusMeterRegistry.scrape(String)}
 * maps to the matching writer; a client's {@code Accept} value is never handed to it as is, so a
 * client cannot pick a writer this listener did not mean to offer (such as protobuf).
 */
public enum MetricsFormat {
    PROMETHEUS_TEXT("text/plain; version=0.0.4; charset=utf-8"),
    OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

    private static final String OPENMETRICS_TYPE = "application/openmetrics-text";

    private final String contentType;

    MetricsFormat(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /**
     * OpenMetrics when {@code accept} names it with a weight above zero and no lower than the
     * classic format's ({@code text/plain}, or a wildcard covering it); the classic format
     * otherwise, including when there is no {@code Accept} at all. Wildcards never select
     * OpenMetrics: a client that accepts anything is assumed to want what Prometheus always read.
     *
     * @param accept the request's {@code Accept} values joined by commas, or {@code null}
     */
    public static MetricsFormat forAccept(String accept) {
        if (accept == null) {
            return PROMETHEUS_TEXT;
        }
        double openMetrics = 0;
        double text = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            double weight = weight(parts);
            if (type.equals(OPENMETRICS_TYPE)) {
                openMetrics = Math.max(openMetrics, weight);
            } else if (type.equals("text/plain") || type.equals("text/*") || type.equals("*/*")) {
                text = Math.max(text, weight);
            }
        }
        return openMetrics > 0 && openMetrics >= text ? OPENMETRICS : PROMETHEUS_TEXT;
    }

    /** The {@code q} parameter of one media range; 1 when absent, 0 when unreadable. */
    private static double weight(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            if (param.length() > 2 && (param.charAt(0) == 'q' || param.charAt(0) == 'Q') && param.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(param.substring(2).trim());
                    return q >= 0 && q <= 1 ? q : 0;
                } catch (NumberFormatException unreadable) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
