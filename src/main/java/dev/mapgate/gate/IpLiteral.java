package dev.mapgate.gate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * IP address literals as forwarding hops write them, read without DNS.
 *
 * <p>Parsed by hand rather than with Netty's {@code NetUtil}, which accepts what has to be refused
 * here: IPv4 octets with leading zeros (octal to some readers, so two parsers could see two
 * addresses), zone ids, and brackets around an IPv6 address given without a port; and it reads
 * the deprecated IPv4-compatible {@code ::a.b.c.d} as if it were IPv4-mapped. An IPv4-mapped IPv6
 * address ({@code ::ffff:a.b.c.d}) comes back as its IPv4 address, as {@link CidrSet} matches it.
 */
final class IpLiteral {

    /** Longer than {@code [ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535}, so never an address. */
    private static final int MAX_LENGTH = 53;

    private IpLiteral() {
    }

    /**
     * An X-Forwarded-For style entry: {@code a.b.c.d}, {@code a.b.c.d:port}, a bare IPv6 address
     * (its last group is never read as a port), {@code [IPv6]} or {@code [IPv6]:port}.
     *
     * @return the address, or {@code null} when {@code text[from, to)} is anything else
     */
    static InetAddress entry(String text, int from, int to) {
        return parse(text, from, to, false);
    }

    /**
     * An RFC 7239 node, already unquoted: {@code a.b.c.d} or {@code [IPv6]}, optionally followed by
     * a numeric port or an obfuscated one ({@code :_abc}), which is ignored. A bare IPv6 address is
     * refused: the RFC requires brackets, and without them a port cannot be told from a group.
     *
     * @return the address, or {@code null} for anything else ({@code unknown}, {@code _hidden}, names)
     */
    static InetAddress node(String text) {
        return parse(text, 0, text.length(), true);
    }

    /**
     * Exactly an IPv4 address, {@code a.b.c.d}, and nothing around it.
     *
     * @return the address, or {@code null} when {@code text[from, to)} is anything else
     */
    static InetAddress ipv4(String text, int from, int to) {
        byte[] bytes = new byte[4];
        return parseV4(text, from, to, bytes, 0) ? toAddress(bytes) : null;
    }

    /**
     * Exactly an IPv6 address in RFC 4291 text form (an IPv4 tail allowed), with no brackets,
     * zone id or port.
     *
     * @return the address, or {@code null} when {@code text[from, to)} is anything else
     */
    static InetAddress ipv6(String text, int from, int to) {
        byte[] bytes = new byte[16];
        return parseV6(text, from, to, bytes) ? toAddress(bytes) : null;
    }

    private static InetAddress parse(String text, int from, int to, boolean node) {
        if (from >= to || to - from > MAX_LENGTH) {
            return null;
        }
        byte[] bytes;
        int hostEnd;
        if (text.charAt(from) == '[') {
            int close = indexOf(text, ']', from, to);
            bytes = new byte[16];
            if (close < 0 || !parseV6(text, from + 1, close, bytes)) {
                return null;
            }
            hostEnd = close + 1;
        } else {
            int colon = indexOf(text, ':', from, to);
            if (colon >= 0 && indexOf(text, ':', colon + 1, to) >= 0) {
                // Two or more colons make a bare IPv6 address, which cannot carry a port.
                bytes = new byte[16];
                return node || !parseV6(text, from, to, bytes) ? null : toAddress(bytes);
            }
            hostEnd = colon < 0 ? to : colon;
            bytes = new byte[4];
            if (!parseV4(text, from, hostEnd, bytes, 0)) {
                return null;
            }
        }
        if (hostEnd < to && (text.charAt(hostEnd) != ':' || !isPort(text, hostEnd + 1, to, node))) {
            return null;
        }
        return toAddress(bytes);
    }

    /** Four decimal octets 0..255, none with a leading zero. */
    private static boolean parseV4(String text, int from, int to, byte[] out, int offset) {
        int parts = 0;
        int digits = 0;
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return false;
                }
                value = value * 10 + (c - '0');
                if (value > 255) {
                    return false;
                }
                digits++;
            } else if (c == '.' && digits > 0 && parts < 3) {
                out[offset + parts++] = (byte) value;
                digits = 0;
                value = 0;
            } else {
                return false;
            }
        }
        if (digits == 0 || parts != 3) {
            return false;
        }
        out[offset + 3] = (byte) value;
        return true;
    }

    /** RFC 4291 text form: up to eight groups of 1-4 hex digits, one {@code ::}, an IPv4 tail. */
    private static boolean parseV6(String text, int from, int to, byte[] out) {
        if (to - from < 2) {
            return false;
        }
        int groups = 0;
        int gap = -1;
        int i = from;
        if (text.charAt(i) == ':') {
            if (text.charAt(i + 1) != ':') {
                return false;
            }
            gap = 0;
            i += 2;
        }
        while (i < to) {
            int end = i;
            int value = 0;
            while (end < to && end - i <= 4 && hex(text.charAt(end)) >= 0) {
                value = value << 4 | hex(text.charAt(end));
                end++;
            }
            if (end < to && text.charAt(end) == '.') {
                if (groups > 6 || !parseV4(text, i, to, out, groups * 2)) {
                    return false;
                }
                groups += 2;
                break;
            }
            if (end == i || end - i > 4 || groups == 8) {
                return false;
            }
            out[groups * 2] = (byte) (value >> 8);
            out[groups * 2 + 1] = (byte) value;
            groups++;
            i = end;
            if (i == to) {
                break;
            }
            if (text.charAt(i) != ':' || ++i == to) {
                return false;
            }
            if (text.charAt(i) == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = groups;
                i++;
            }
        }
        if (gap < 0) {
            return groups == 8;
        }
        if (groups == 8) {
            return false;
        }
        int after = (groups - gap) * 2;
        System.arraycopy(out, gap * 2, out, 16 - after, after);
        Arrays.fill(out, gap * 2, 16 - after, (byte) 0);
        return true;
    }

    private static int indexOf(String text, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** ASCII only: Character.digit would take other scripts' digits too. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static boolean isPort(String text, int from, int to, boolean obfuscatedAllowed) {
        if (obfuscatedAllowed && from < to && text.charAt(from) == '_') {
            return to - from > 1 && isObfuscated(text, from + 1, to);
        }
        if (to - from < 1 || to - from > 5) {
            return false;
        }
        int port = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port >= 1 && port <= 65535;
    }

    /** RFC 7239 obfport after its "_": ALPHA, DIGIT, ".", "_" and "-". */
    private static boolean isObfuscated(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** An IPv4-mapped address comes back as IPv4: {@link java.net.Inet6Address} converts it. */
    private static InetAddress toAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }
}
