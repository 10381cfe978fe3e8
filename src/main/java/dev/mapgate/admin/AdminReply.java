package dev.mapgate.admin;

/**
 * What the admin listener answers, before it becomes an HTTP response: a status, a content type
 * and a body. Every reply is a short text the listener wrote itself, so it fits in one buffer.
 *
 * @param allow the {@code Allow} header for a 405, {@code null} otherwise
 */
public record AdminReply(int status, String contentType, String body, String allow) {

    static final String TEXT = "text/plain; charset=utf-8";

    static final AdminReply NOT_FOUND = text(404, "not found\n");
    static final AdminReply METHOD_NOT_ALLOWED = new AdminReply(405, TEXT, "method not allowed\n", "GET, HEAD");
    static final AdminReply BODY_REFUSED = text(413, "request bodies are not accepted here\n");
    static final AdminReply SCRAPE_FAILED = text(500, "metrics could not be collected\n");

    public static AdminReply text(int status, String body) {
        return new AdminReply(status, TEXT, body, null);
    }

    /** {@code /healthz}: whether every I/O event loop ran a task in time. */
    public static AdminReply health(boolean eventLoopsAnswered) {
        return eventLoopsAnswered ? text(200, "ok\n") : text(503, "event loops not answering\n");
    }

    /** {@code /readyz}: whether the server takes traffic, as opposed to starting or draining. */
    public static AdminReply readiness(boolean ready) {
        return ready ? text(200, "ready\n") : text(503, "not ready\n");
    }

    /** {@code /metrics}: the registry's exposition in the negotiated format. */
    public static AdminReply metrics(MetricsFormat format, String exposition) {
        return new AdminReply(200, format.contentType(), exposition, null);
    }
}
