package dev.mapgate.verify;

/**
 * A body went past what verify reads: more than its size limit as sent or once decoded (a
 * compression bomb), so the run stops with one line and exit status 2. Unchecked, so that it
 * ends the whole run from wherever a fetch happens.
 */
final class LimitExceeded extends RuntimeException {

    private static final long serialVersionUID = 1L;

    LimitExceeded(String message) {
        super(message, null, false, false);
    }
}
