package dev.mapgate.verify;

/** The check could not run at all (exit 2). The message is the one line the user sees. */
public final class CannotVerify extends Exception {

    private static final long serialVersionUID = 1L;

    CannotVerify(String message) {
        super(message, null, false, false);
    }
}
