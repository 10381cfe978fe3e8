package dev.mapgate.wire;

/**
 * A response head or body that breaks HTTP/1.1's grammar or framing. The message says what was
 * wrong in mapgate's words and never quotes the origin's bytes (a status code at most), so it
 * can be logged: a header value could carry anything, a cookie or a token included.
 */
public final class MalformedResponseException extends Exception {

    public MalformedResponseException(String message) {
        super(message);
    }
}
