package dev.mapgate.gate;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/** Decides, for one request, whether it is gated and whether it may pass. Pure and immutable. */
public final class GatePolicy {

    public GatePolicy(PathGlobs paths, Set<Check> require, IpAllowList allowIps, Credentials credentials) {
        throw new UnsupportedOperationException("TODO");
    }

    public Route route(String canonicalPath) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * @param canonicalPath    decoded path without query, as produced by {@link RequestTarget}
     * @param client           the client address
     * @param tokenHeaderValue value of the configured token header, or {@code null}
     * @param authorization    value of {@code Authorization}, or {@code null}
     */
    public Decision decide(String canonicalPath, InetAddress client, String tokenHeaderValue, String authorization) {
        throw new UnsupportedOperationException("TODO");
    }

    /** True when {@link #decide} may block on bcrypt for these credentials. */
    public boolean isSlow(String tokenHeaderValue, String authorization) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Human-readable warnings, e.g. a gate that can allow nothing. Empty when the gate is sound. */
    public List<String> warnings() {
        throw new UnsupportedOperationException("TODO");
    }
}
