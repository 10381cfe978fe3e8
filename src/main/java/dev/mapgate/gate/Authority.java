package dev.mapgate.gate;

import java.util.Locale;

/**
 * A {@code host[:port]} as it appears in a {@code Host} header or the authority of an
 * absolute-form request-target, checked against RFC 3986 and normalised for comparison.
 *
 * <p>Stricter than the RFC on purpose: a registered name may hold only letters, digits, {@code -},
 * {@code .} and {@code _} (no percent-encoding, no sub-delims), because no DNS name needs more and
 * every extra form is one more way for two parsers to disagree about which host was meant.
 *
 * @param host lower-case host without a trailing dot; an IPv6 literal keeps its brackets
 * @param port the port, or -1 when none was given
 */
public record Authority(String host, int port) {

    private static final int MAX_HOST_LENGTH = 253;

    /** @throws IllegalArgumentException saying what is wrong */
    public static Authority parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        int hostEnd;
        if (text.charAt(0) == '[') {
            hostEnd = text.indexOf(']') + 1;
            if (hostEnd == 0 || !isIpv6Literal(text, 1, hostEnd - 1)) {
                throw new IllegalArgumentException("malformed IPv6 literal");
            }
        } else {
            hostEnd = text.indexOf(':');
            hostEnd = hostEnd < 0 ? text.length() : hostEnd;
            if (hostEnd == 0 || hostEnd > MAX_HOST_LENGTH || !isRegName(text, 0, hostEnd)) {
                throw new IllegalArgumentException("malformed host name");
            }
        }
        int port = -1;
        if (hostEnd < text.length()) {
            if (text.charAt(hostEnd) != ':') {
                throw new IllegalArgumentException("unexpected character after host");
            }
            port = parsePort(text, hostEnd + 1);
        }
        String host = text.substring(0, hostEnd).toLowerCase(Locale.ROOT);
        // "example.com." names the same host as "example.com"; compare them as one.
        if (host.length() > 1 && host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return new Authority(host, port);
    }

    @Override
    public String toString() {
        return port < 0 ? host : host + ':' + port;
    }

    private static int parsePort(String text, int start) {
        int length = text.length() - start;
        if (length < 1 || length > 5) {
            throw new IllegalArgumentException("malformed port");
        }
        int port = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("malformed port");
            }
            port = port * 10 + (c - '0');
        }
        if (port > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        return port;
    }

    private static boolean isRegName(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Hex digits, colons and (for an embedded IPv4 tail) dots; no zone identifier. */
    private static boolean isIpv6Literal(String text, int start, int end) {
        if (end - start < 2 || text.indexOf(':', start) < 0 || text.indexOf(':', start) >= end) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == ':' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
