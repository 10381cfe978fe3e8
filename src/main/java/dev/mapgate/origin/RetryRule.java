package dev.mapgate.origin;

/**
 * When a request that met a closing origin connection may go out again. Every client of a
 * keep-alive server meets the race (the server times an idle connection out just as a request
 * goes out on it), and retrying is only safe where the origin cannot have acted on the request:
 * nginx's {@code proxy_next_upstream} and RFC 9110 9.2.2 draw the same line.
 */
public final class RetryRule {

    private RetryRule() {
    }

    /**
     * Decided when the request is sent: a GET or HEAD without content, on a connection that had
     * carried an exchange before (a new one that closes unanswered is no stale-connection race),
     * and not already a retry.
     */
    public static boolean mayRetry(String method, boolean hasContent, boolean reusedConnection, boolean alreadyRetried) {
        return !alreadyRetried && !hasContent && reusedConnection && ("GET".equals(method) || "HEAD".equals(method));
    }

    /**
     * Decided when the connection closes: only if the whole request went out (its end is not read
     * from the client again) and not one byte of an answer came back, not even a 1xx.
     */
    public static boolean retryNow(boolean mayRetry, boolean requestSent, boolean anyResponseByte) {
        return mayRetry && requestSent && !anyResponseByte;
    }
}
