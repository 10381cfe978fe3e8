package dev.mapgate.gate;

import java.util.Objects;

/**
 * The outcome of gating one request.
 *
 * @param route          whether the path is gated
 * @param allowed        whether the request may proceed to the origin
 * @param reason         why it was denied; {@code null} when allowed
 * @param credentialName the configured name of the token or user that matched; {@code null} when none did
 */
public record Decision(Route route, boolean allowed, DenyReason reason, String credentialName) {

    private static final Decision PASS = new Decision(Route.PASS, true, null, null);

    public Decision {
        Objects.requireNonNull(route, "route");
        if (allowed != (reason == null)) {
            throw new IllegalArgumentException("a decision is allowed exactly when it has no deny reason");
        }
    }

    /** A path outside the gate: always allowed. */
    public static Decision pass() {
        return PASS;
    }

    public static Decision allow(String credentialName) {
        return new Decision(Route.GATED, true, null, credentialName);
    }

    /**
     * A request on an ungated path whose response was a source map, as the content guard found:
     * still route {@code pass}, denied.
     */
    public static Decision refusedContent() {
        return new Decision(Route.PASS, false, DenyReason.CONTENT_GUARD, null);
    }

    public static Decision deny(DenyReason reason, String credentialName) {
        return new Decision(Route.GATED, false, Objects.requireNonNull(reason, "reason"), credentialName);
    }
}
