package dev.mapgate.gate;

import java.util.Objects;

/**
 * The outcome of gating one request.
 *
 * @param route          whether the path is gated
 * @param allowed        whether the request may proceed to the origin
 * @param reason         why it was denied; {@code null} when allowed
 * @param credentialName the configured name of the token or user that matched; {@code null} when none did
 * @param site           the name of the site that judged the request ({@link Site}); {@code null}
 *                       for the gate's own settings, which judge what no site covers
 */
public record Decision(Route route, boolean allowed, DenyReason reason, String credentialName, String site) {

    private static final Decision PASS = new Decision(Route.PASS, true, null, null, null);

    public Decision {
        Objects.requireNonNull(route, "route");
        if (allowed != (reason == null)) {
            throw new IllegalArgumentException("a decision is allowed exactly when it has no deny reason");
        }
    }

    /** A decision of the gate's own settings, outside every site. */
    public Decision(Route route, boolean allowed, DenyReason reason, String credentialName) {
        this(route, allowed, reason, credentialName, null);
    }

    /** A path outside the gate: always allowed. */
    public static Decision pass() {
        return PASS;
    }

    /** A path outside the gate, in {@code site} (or none). */
    public static Decision pass(String site) {
        return site == null ? PASS : new Decision(Route.PASS, true, null, null, site);
    }

    public static Decision allow(String credentialName) {
        return allow(credentialName, null);
    }

    public static Decision allow(String credentialName, String site) {
        return new Decision(Route.GATED, true, null, credentialName, site);
    }

    /**
     * A request on an ungated path whose response was a source map, as the content guard found:
     * still route {@code pass}, denied.
     */
    public static Decision refusedContent() {
        return refusedContent(null);
    }

    /** As {@link #refusedContent()}, for a request in {@code site} (or none). */
    public static Decision refusedContent(String site) {
        return new Decision(Route.PASS, false, DenyReason.CONTENT_GUARD, null, site);
    }

    public static Decision deny(DenyReason reason, String credentialName) {
        return deny(reason, credentialName, null);
    }

    public static Decision deny(DenyReason reason, String credentialName, String site) {
        return new Decision(Route.GATED, false, Objects.requireNonNull(reason, "reason"), credentialName, site);
    }
}
