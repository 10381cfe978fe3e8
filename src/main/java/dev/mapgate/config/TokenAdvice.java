package dev.mapgate.config;

import dev.mapgate.gate.Token;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Warnings about token values that work but should not be trusted: short ones, and the example
 * values mapgate's own files publish. They never stop startup (a weak token still keeps strangers
 * out better than none), and they never show the value, nor its length.
 */
final class TokenAdvice {

    /** Below this a token is called short: 32 random characters is what the docs tell people to make. */
    static final int MIN_LENGTH = 32;

    /**
     * Values printed in mapgate's own files, so known to anyone who has read them:
     * conf/mapgate.conf's example token and the placeholder in deploy/kubernetes/{sidecar,standalone}/secret.yaml.
     */
    static final Set<String> PUBLIC_EXAMPLES = Set.of("example-token-change-me", "REPLACE-ME-this-placeholder-is-public");

    private static final String HOW_TO_MAKE_ONE = "make one with `openssl rand -hex 32` and give Sentry the same value";

    /**
     * What InetAddress parses as a literal without a lookup: dotted IPv4, or hex digits, colons
     * and dots with at least one colon (IPv6). Anything else is a host name.
     */
    private static final Pattern IP_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");

    /** A configured token and where it was configured, e.g. {@code mapgate.gate.token.tokens[0]}. */
    record Configured(String key, Token token) {
    }

    private TokenAdvice() {
    }

    /**
     * @param tokens     the tokens in force (a revoked one has no value to judge)
     * @param listenHost {@code mapgate.listen.host}
     */
    static List<String> warnings(List<Configured> tokens, String listenHost) {
        boolean loopbackOnly = isLoopback(listenHost);
        List<String> warnings = new ArrayList<>();
        for (Configured configured : tokens) {
            String value = configured.token().value();
            String about = configured.key() + ": token '" + configured.token().name() + "'";
            if (PUBLIC_EXAMPLES.contains(value)) {
                // The example config must run as shipped without a warning, and there the example
                // token is harmless: only this machine can connect. Once mapgate listens beyond
                // loopback, anyone who has read the docs holds the token. Length is beside the
                // point for a value that is public, so a public one gets this warning alone.
                if (!loopbackOnly) {
                    warnings.add(about + " is the public example value from mapgate's own files, and mapgate listens"
                            + " on " + listenHost + ", beyond this machine: anyone can present it; " + HOW_TO_MAKE_ONE);
                }
            } else if (value.codePointCount(0, value.length()) < MIN_LENGTH) {
                warnings.add(about + " is shorter than " + MIN_LENGTH + " characters, which makes it easier to guess; "
                        + HOW_TO_MAKE_ONE);
            }
        }
        return warnings;
    }

    /**
     * Whether {@code host} binds to loopback only: {@code localhost}, 127.0.0.0/8 or ::1. The
     * wildcards (0.0.0.0, ::) and any other name count as reachable from elsewhere; a name is not
     * looked up, so loading a config never waits on DNS.
     */
    static boolean isLoopback(String host) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.toLowerCase(Locale.ROOT).equals("localhost")) {
            return true;
        }
        if (!IP_LITERAL.matcher(h).matches()) {
            return false;
        }
        try {
            // A literal is parsed, never resolved.
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
