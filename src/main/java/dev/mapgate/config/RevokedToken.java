package dev.mapgate.config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A token whose file was deleted or left empty. That is how an operator withdraws one
 * compromised token without touching the config or any other credential, so it is a state of the
 * config, not an error in it. It stays on the snapshot so that a reload can tell a new
 * revocation from one already in force, and a token that came back.
 *
 * @param site  the site the token opens ({@code gate.sites}); {@code null} for the gate's own tokens.
 *              Token names are unique within a site only, so a token is the pair of site and name.
 * @param name  the token's configured name; its value is gone, and would never be kept here anyway
 * @param key   where the token is configured, e.g. {@code mapgate.gate.sites[0].token.tokens[1]}
 * @param file  the resolved path, which the reload watcher keeps checking
 * @param cause what was found at {@code file}
 */
public record RevokedToken(String site, String name, String key, Path file, Cause cause) {

    /** One of the gate's own tokens. */
    public RevokedToken(String name, String key, Path file, Cause cause) {
        this(null, name, key, file, cause);
    }

    /** What revoked a token. */
    public enum Cause {
        /** No file at the path (also a dangling symlink, or a missing folder on the way). */
        DELETED,
        /** A file with nothing but whitespace and line ends. */
        EMPTY;

        /** The word in log lines: {@code cause=deleted}. */
        public String logName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The line check-config prints. "does not exist" rather than "was deleted": at startup or in
     * check-config nobody knows whether the file ever existed.
     */
    public String warning() {
        return key + ".file: token '" + name + "' is revoked: " + file
                + (cause == Cause.DELETED ? " does not exist" : " is empty")
                + "; requests carrying it are denied until the file holds a token again";
    }
}
