package dev.mapgate.bench;

import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.Check;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.Token;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.List;

/** The gate a typical deployment runs: maps gated, Sentry's addresses plus a few more, one token. */
final class GateFixture {

    static final String TOKEN = "3c9f1e0a7b2d4c6e8f0a1b2c3d4e5f60";

    static final List<String> ALLOW_IPS = List.of(
            // Sentry US and EU, as in reference.conf's mapgate.ip-ranges.
            "35.184.238.160/32", "104.155.159.182/32", "104.155.149.19/32", "130.211.230.102/32",
            "34.141.31.19/32", "34.141.4.162/32", "35.234.78.236/32",
            // The operator's own.
            "203.0.113.0/24", "198.18.0.0/15", "2001:db8:1::/48");

    /** The last Sentry entry, so that an allowed address walks the whole IPv4 list. */
    static final InetAddress SENTRY = ip("35.234.78.236");
    static final InetAddress STRANGER = ip("192.0.2.77");

    private GateFixture() {
    }

    static GatePolicy policy() {
        return new GatePolicy(PathGlobs.compile(List.of("**/*.map")), EnumSet.of(Check.IP, Check.CREDENTIAL),
                CidrSet.parse(ALLOW_IPS), new Credentials(List.of(new Token("sentry", TOKEN)), List.of()));
    }

    static InetAddress ip(String literal) {
        try {
            // A literal is never looked up.
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
