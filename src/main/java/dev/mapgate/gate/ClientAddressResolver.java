package dev.mapgate.gate;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the client address of a request from its peer, the proxies trusted to report it and the
 * header they report it in. Pure and immutable.
 *
 * <p>Only a peer in {@code trusted-proxies} may report a client. A list is read right to left:
 * each hop appends the address it was connected from, so the rightmost entries are the ones the
 * trusted hops wrote, and the first untrusted entry from the right is the last hop nobody vouches
 * for beyond: the client. Everything to its left is the client's own claim and is never read.
 *
 * <p>Whatever a trusted hop sent that cannot be read where it has to be read makes the client
 * unknown rather than guessed: a gated request is then denied. Nothing here resolves names.
 */
public final class ClientAddressResolver {

    /** How the header's value is read. */
    public enum Format {
        /** Comma-separated addresses, each hop appending its peer: X-Forwarded-For and unknown names. */
        LIST,
        /** RFC 7239 {@code Forwarded}: the {@code for=} of each comma-separated element. */
        FORWARDED,
        /** One address and nothing else: X-Real-IP, True-Client-IP, CF-Connecting-IP, Fastly-Client-IP. */
        SINGLE
    }

    /**
     * The most entries read from the right. A real chain has a handful of hops; more trusted
     * entries than this is a header built to make each request cost more, not a chain.
     */
    static final int MAX_ENTRIES = 64;

    /** The most characters of client-sent text a problem echoes into the debug log. */
    private static final int MAX_EXCERPT = 40;

    private static final Map<String, Format> FORMATS = Map.of(
            "x-forwarded-for", Format.LIST,
            "forwarded", Format.FORWARDED,
            "x-real-ip", Format.SINGLE,
            "true-client-ip", Format.SINGLE,
            "cf-connecting-ip", Format.SINGLE,
            "fastly-client-ip", Format.SINGLE);

    /** Headers every hop reads for its own purpose: one holding a client address is a mistake. */
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("host", "it names the site asked for"),
            Map.entry("content-length", "it frames the message body"),
            Map.entry("transfer-encoding", "it frames the message body"),
            Map.entry("te", "it negotiates transfer codings with the next hop"),
            Map.entry("trailer", "it announces fields after the body"),
            Map.entry("connection", "it is about the connection to the next hop, which drops it"),
            Map.entry("keep-alive", "it is about the connection to the next hop, which drops it"),
            Map.entry("proxy-connection", "it is about the connection to the next hop, which drops it"),
            Map.entry("upgrade", "it switches protocols"),
            Map.entry("authorization", "it carries credentials"),
            Map.entry("proxy-authorization", "it carries credentials"),
            Map.entry("cookie", "it carries credentials"));

    private final CidrSet trustedProxies;
    private final String header;
    private final Format format;

    private ClientAddressResolver(CidrSet trustedProxies, String header, Format format) {
        this.trustedProxies = trustedProxies;
        this.header = header;
        this.format = format;
    }

    /**
     * @param header a valid HTTP header name; its format follows from the name
     * @throws InvalidEntry when {@code header} is not a valid header name, or names a
     *                                  header with another job (Host, Authorization, ...)
     */
    public static ClientAddressResolver of(CidrSet trustedProxies, String header) {
        Objects.requireNonNull(trustedProxies, "trustedProxies");
        Objects.requireNonNull(header, "header");
        if (!HttpToken.isToken(header)) {
            throw new InvalidEntry(InvalidEntry.Field.HEADER, -1, header, "\"" + header + "\" is not a valid HTTP header name");
        }
        String lower = header.toLowerCase(Locale.ROOT);
        String refused = REFUSED.get(lower);
        if (refused != null) {
            throw new InvalidEntry(InvalidEntry.Field.HEADER, -1, header,
                    "\"" + header + "\" cannot carry the client address: " + refused);
        }
        return new ClientAddressResolver(trustedProxies, header, FORMATS.getOrDefault(lower, Format.LIST));
    }

    /** No trusted proxies: every request is judged by its peer. */
    public static ClientAddressResolver peerOnly() {
        return of(CidrSet.parse(List.of()), "X-Forwarded-For");
    }

    /** The configured header name, as configured. */
    public String header() {
        return header;
    }

    public Format format() {
        return format;
    }

    /** Whether {@code peer} may report a client address (and send a PROXY header). */
    public boolean trusts(InetAddress peer) {
        return trustedProxies.contains(peer);
    }

    public CidrSet trustedProxies() {
        return trustedProxies;
    }

    /**
     * Never throws.
     *
     * @param peer         the TCP peer, or the source a trusted PROXY header gave for it
     * @param headerValues every field line of the configured header, in the order received
     */
    public ClientAddress resolve(InetAddress peer, List<String> headerValues) {
        try {
            if (!trustedProxies.contains(peer)) {
                // Read nothing the peer sent: it may not speak for anyone but itself.
                return ClientAddress.untrustedPeer(peer);
            }
            List<String> lines = headerValues == null ? List.of() : headerValues;
            return switch (format) {
                case LIST -> walk(peer, new ListEntries(lines), "entry");
                case SINGLE -> single(peer, lines);
                case FORWARDED -> forwarded(peer, lines);
            };
        } catch (RuntimeException e) {
            // A bug in here must not let a request pass as someone else's: deny it as unknown.
            return ClientAddress.unknown(header + " could not be read: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return "ClientAddressResolver[trustedProxies=" + trustedProxies.entries() + ", header=" + header
                + ", format=" + format + "]";
    }

    /** Skips trusted entries from the right; the first untrusted one is the client. */
    private ClientAddress walk(InetAddress peer, Entries entries, String noun) {
        InetAddress leftmost = null;
        for (int n = 1; entries.next(); n++) {
            if (n > MAX_ENTRIES) {
                return ClientAddress.unknown(header + " lists more than " + MAX_ENTRIES + " trusted hops");
            }
            InetAddress address = entries.address();
            if (address == null) {
                return ClientAddress.unknown(header + " " + noun + " " + n + " from the right " + entries.problem());
            }
            if (!trustedProxies.contains(address)) {
                return ClientAddress.behindTrustedProxy(address);
            }
            leftmost = address;
        }
        // Every hop is trusted: the first one is where the request came from. No entries at all
        // is a trusted peer that reported nobody in front of it.
        return ClientAddress.behindTrustedProxy(leftmost == null ? peer : leftmost);
    }

    private ClientAddress single(InetAddress peer, List<String> lines) {
        String value = null;
        for (String line : lines) {
            if (line != null && !isOws(line, 0, line.length())) {
                if (value != null) {
                    return ClientAddress.unknown(header + " came in more than one line: which one the proxy"
                            + " wrote cannot be told");
                }
                value = line;
            }
        }
        if (value == null) {
            return ClientAddress.behindTrustedProxy(peer);
        }
        if (value.indexOf(',') >= 0) {
            return ClientAddress.unknown(header + " holds a list where one address belongs");
        }
        int from = skipOws(value, 0, value.length());
        int to = trimOws(value, from, value.length());
        InetAddress address = IpLiteral.entry(value, from, to);
        // Trusted or not, the one address a single-address header holds is the client: no hop
        // appends to it, so there is nothing further to walk.
        return address != null ? ClientAddress.behindTrustedProxy(address)
                : ClientAddress.unknown(header + " is not an IP address: " + excerpt(value, from, to));
    }

    private ClientAddress forwarded(InetAddress peer, List<String> lines) {
        // One more than can be walked, so that a walk through all of them hits the cap.
        ForwardedField field = ForwardedField.parse(lines, MAX_ENTRIES + 1);
        if (field.problem() != null) {
            return ClientAddress.unknown(header + " " + field.problem());
        }
        return walk(peer, new ForwardedEntries(field.elements()), "element");
    }

    /** A header's entries from the right, each read only when the walk reaches it. */
    private interface Entries {
        /** Moves one entry to the left; false when there is none. */
        boolean next();

        /** The current entry's address, or {@code null} when it is not one. */
        InetAddress address();

        /** Why the current entry is not an address, completing "entry 2 from the right ...". */
        String problem();
    }

    /** Every line's comma-separated entries, the lines joined in order (RFC 9110 5.3). */
    private static final class ListEntries implements Entries {
        private final List<String> lines;
        private int line;
        /** Where the part of the current line not yet read ends; -1 when it is all read. */
        private int end = -1;
        private String text;
        private int from;
        private int to;

        ListEntries(List<String> lines) {
            this.lines = lines;
            this.line = lines.size();
        }

        @Override
        public boolean next() {
            while (true) {
                if (end < 0) {
                    if (--line < 0) {
                        return false;
                    }
                    text = lines.get(line) == null ? "" : lines.get(line);
                    end = text.length();
                }
                int comma = text.lastIndexOf(',', end - 1);
                from = skipOws(text, comma + 1, end);
                to = trimOws(text, from, end);
                end = comma;
                if (from < to) {
                    return true; // empty elements are ignored, as RFC 9110 5.6.1 asks
                }
            }
        }

        @Override
        public InetAddress address() {
            return IpLiteral.entry(text, from, to);
        }

        @Override
        public String problem() {
            return "is not an IP address: " + excerpt(text, from, to);
        }
    }

    private static final class ForwardedEntries implements Entries {
        private final List<ForwardedField.Element> elements;
        private int index;
        private ForwardedField.Element current;

        ForwardedEntries(List<ForwardedField.Element> elements) {
            this.elements = elements;
            this.index = elements.size();
        }

        @Override
        public boolean next() {
            if (index == 0) {
                return false;
            }
            current = elements.get(--index);
            return true;
        }

        @Override
        public InetAddress address() {
            return current.forCount() == 1 ? IpLiteral.node(current.forNode()) : null;
        }

        @Override
        public String problem() {
            if (current.forCount() == 0) {
                return "has no for= parameter";
            }
            if (current.forCount() > 1) {
                return "has " + current.forCount() + " for= parameters";
            }
            String node = current.forNode();
            return "has for=" + excerpt(node, 0, node.length()) + ", which is not an IP address";
        }
    }

    /**
     * Client-sent text fit for a log line: quoted, at most {@value #MAX_EXCERPT} characters, and
     * printable ASCII only, with no quote or backslash to break a {@code key="value"} field.
     */
    static String excerpt(String text, int from, int to) {
        int end = Math.min(to, from + MAX_EXCERPT);
        StringBuilder b = new StringBuilder(end - from + 5).append('"');
        for (int i = from; i < end; i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? c : '?');
        }
        return b.append(end < to ? "...\"" : "\"").toString();
    }

    private static boolean isOws(String text, int from, int to) {
        return skipOws(text, from, to) == to;
    }

    private static int skipOws(String text, int from, int to) {
        while (from < to && (text.charAt(from) == ' ' || text.charAt(from) == '\t')) {
            from++;
        }
        return from;
    }

    private static int trimOws(String text, int from, int to) {
        while (to > from && (text.charAt(to - 1) == ' ' || text.charAt(to - 1) == '\t')) {
            to--;
        }
        return to;
    }
}
