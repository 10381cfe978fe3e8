package dev.mapgate.verify;

/** A request that got no HTTP answer. The message is one line a person can act on. */
public final class FetchException extends Exception {

    private static final long serialVersionUID = 1L;

    FetchException(String message) {
        super(message, null, false, false);
    }
}
