package dev.mapgate.gate;

import java.util.Optional;

/**
 * Whether a PROXY protocol version 1 line is spelled exactly as HAProxy's specification
 * (proxy-protocol.txt, section 2.1) writes it. Netty's decoder does the decoding; this only
 * refuses what it reads more kindly than the specification allows: a space before the CRLF,
 * leading zeros or a sign on a port, leading zeros in an IPv4 octet, a bracketed IPv6 address or
 * one with a zone id, a line longer than 107 bytes. A balancer never writes those, so a line that
 * has one is damaged or forged, and its address must not be believed.
 */
public final class ProxyV1Line {

    /** The longest line the specification allows, CRLF included. */
    public static final int MAX_BYTES = 107;

    /** What is wrong with a line, each with the word the log shows for it. */
    public enum Problem {
        TOO_LONG("too-long"),
        NOT_PROXY("not-proxy"),
        PROTOCOL("protocol"),
        FIELDS("fields"),
        SOURCE_ADDRESS("source-address"),
        DESTINATION_ADDRESS("destination-address"),
        SOURCE_PORT("source-port"),
        DESTINATION_PORT("destination-port");

        private final String label;

        Problem(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private static final String PREFIX = "PROXY ";
    private static final String UNKNOWN = "UNKNOWN";

    private ProxyV1Line() {
    }

    /**
     * @param line the line up to its first CRLF, without it, one character per byte (ISO-8859-1)
     * @return what makes the line other than exactly per specification, or empty when nothing does
     */
    public static Optional<Problem> check(String line) {
        if (line.length() + 2 > MAX_BYTES) {
            return Optional.of(Problem.TOO_LONG);
        }
        if (!line.startsWith(PREFIX)) {
            return Optional.of(Problem.NOT_PROXY);
        }
        if (line.startsWith(UNKNOWN, PREFIX.length())) {
            int after = PREFIX.length() + UNKNOWN.length();
            // The sender may add anything after UNKNOWN and the receiver ignores it, but the word
            // itself must end there.
            return after == line.length() || line.charAt(after) == ' '
                    ? Optional.empty() : Optional.of(Problem.PROTOCOL);
        }
        // -1 keeps empty fields, so a doubled or trailing space makes an extra one.
        String[] fields = line.split(" ", -1);
        boolean v4 = fields[1].equals("TCP4");
        if (!v4 && !fields[1].equals("TCP6")) {
            return Optional.of(Problem.PROTOCOL);
        }
        if (fields.length != 6) {
            return Optional.of(Problem.FIELDS);
        }
        if (!isAddress(fields[2], v4)) {
            return Optional.of(Problem.SOURCE_ADDRESS);
        }
        if (!isAddress(fields[3], v4)) {
            return Optional.of(Problem.DESTINATION_ADDRESS);
        }
        if (!isPort(fields[4])) {
            return Optional.of(Problem.SOURCE_PORT);
        }
        if (!isPort(fields[5])) {
            return Optional.of(Problem.DESTINATION_PORT);
        }
        return Optional.empty();
    }

    private static boolean isAddress(String text, boolean v4) {
        return (v4 ? IpLiteral.ipv4(text, 0, text.length()) : IpLiteral.ipv6(text, 0, text.length())) != null;
    }

    /** 0 to 65535 in decimal, ASCII digits only, no sign and no leading zero. */
    private static boolean isPort(String text) {
        int n = text.length();
        if (n == 0 || n > 5 || (n > 1 && text.charAt(0) == '0')) {
            return false;
        }
        int value = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 65535;
    }
}
