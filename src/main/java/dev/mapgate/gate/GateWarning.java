package dev.mapgate.gate;

/**
 * Something about a sound gate its operator should fix, e.g. a gate that can allow nothing. The
 * gate knows what is wrong, not where it was configured: whoever reads the config renders it with
 * its own key names.
 *
 * @param subject what the warning is about, in plain words: a glob, or the users and costs
 */
public record GateWarning(Kind kind, String subject) {

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
        MIXED_HASH_COSTS
    }
}
