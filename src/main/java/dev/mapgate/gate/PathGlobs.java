package dev.mapgate.gate;

import java.util.List;

/**
 * The compiled {@code gate.paths} globs. Matching is case-insensitive and runs on the canonical
 * (decoded) path without its query.
 */
public final class PathGlobs {

    /** @throws IllegalArgumentException naming the bad glob */
    public static PathGlobs compile(List<String> globs) {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean matches(String canonicalPath) {
        throw new UnsupportedOperationException("TODO");
    }
}
