package dev.mapgate.gate;

/**
 * Something about a sound gate its operator should fix, e.g. a gate that can allow nothing. The
 * gate knows what is wrong, not where it was configured: whoever reads the config renders it with
 * its own key names.
 *
 * @param subject what the warning is about, in plain words: a glob, the users and costs, or the
 *                sites and what they cover
 * @param site    the site whose settings the warning is about; {@code null} for the gate's own
 *                settings or the sites as a whole
 */
public record GateWarning(Kind kind, String subject, String site) {

    /** About the gate's own settings, or the sites as a whole. */
    public GateWarning(Kind kind, String subject) {
        this(kind, subject, null);
    }

    /** This warning, about {@code site}'s settings. */
    public GateWarning inSite(String site) {
        return new GateWarning(kind, subject, site);
    }

    public enum Kind {
        /** No path is gated, so every source map is served to anyone. */
        NOTHING_GATED,
        /** {@link #subject()} is a glob that matches names in the top folder only. */
        TOP_FOLDER_GLOB,
        /** The ip check is required but no address is allowed. */
        IP_REQUIRED_NONE_ALLOWED,
        /** A credential is required but none is configured. */
        CREDENTIAL_REQUIRED_NONE_CONFIGURED,
        /** {@link #subject()} describes Basic users whose bcrypt cost is low, with a remedy. */
        CHEAP_HASHES,
        /** {@link #subject()} describes Basic users' differing bcrypt costs. */
        MIXED_HASH_COSTS,
        /**
         * A site judges no request, or part of what it covers never reaches it, because a site
         * listed before it covers the same host and prefix; {@link #subject()} says what.
         */
        UNREACHABLE_SITE,
        /**
         * Two sites cover some of the same requests (nested prefixes, or a host beside a path
         * prefix); {@link #subject()} says where and which site judges there.
         */
        OVERLAPPING_SITES,
        /** One token value opens two sites; {@link #subject()} names the tokens and sites. */
        SHARED_TOKEN,
        /** One Basic user and password opens two sites; {@link #subject()} names the users and sites. */
        SHARED_USER
    }
}
