package dev.mapgate.gate;

/**
 * A request-target reduced to one canonical form: the decoded path that is classified, and the
 * re-encoded path that is forwarded, so the gate and the origin see the same resource.
 *
 * @param path        decoded canonical path, always starting with {@code /}
 * @param encodedPath {@link #path} percent-encoded for the wire
 * @param rawQuery    the query as received (without {@code ?}), or {@code null}
 */
public record RequestTarget(String path, String encodedPath, String rawQuery) {

    /** @throws BadTargetException when the target is malformed or ambiguous */
    public static RequestTarget parse(String rawTarget) throws BadTargetException {
        throw new UnsupportedOperationException("TODO");
    }

    /** The origin-form target to forward: {@link #encodedPath} plus the query. */
    public String originForm() {
        return rawQuery == null ? encodedPath : encodedPath + '?' + rawQuery;
    }

    public static final class BadTargetException extends Exception {
        public BadTargetException(String message) {
            super(message, null, false, false);
        }
    }
}
