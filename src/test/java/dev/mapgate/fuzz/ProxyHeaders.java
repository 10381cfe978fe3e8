package dev.mapgate.fuzz;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * PROXY protocol headers as the fuzzer writes and the oracle reads them, from the HAProxy
 * specification, not from Netty's decoder: version 1 is one text line, version 2 a binary block
 * after a 12-byte signature.
 */
final class ProxyHeaders {

    static final String V2_SIGNATURE = "\r\n\r\n\u0000\r\nQUIT\n";

    /** What a connection's first bytes say about its client, and where HTTP starts. */
    record Parsed(boolean present, String source, int httpStart) {
    }

    private ProxyHeaders() {
    }

    /**
     * {@code prefix} with the length of its last TLV raised so that the TLV runs past the end of
     * the header (into whatever follows), or {@code null} when {@code prefix} is no v2 header
     * with TLVs. The header's own length is left as it was.
     */
    static String withLastTlvOverrunning(String prefix) {
        if (!prefix.startsWith(V2_SIGNATURE) || prefix.length() < 16) {
            return null;
        }
        int addresses = switch (prefix.charAt(13) >> 4) {
            case 1 -> 12;
            case 2 -> 36;
            default -> -1;
        };
        int end = 16 + ((prefix.charAt(14) << 8) | prefix.charAt(15));
        if (addresses < 0 || end > prefix.length()) {
            return null;
        }
        int last = -1;
        for (int at = 16 + addresses; at + 3 <= end; at += 3 + ((prefix.charAt(at + 1) << 8) | prefix.charAt(at + 2))) {
            last = at;
        }
        if (last < 0) {
            return null;
        }
        int length = ((prefix.charAt(last + 1) << 8) | prefix.charAt(last + 2)) + 1 + (end - last) % 200;
        StringBuilder out = new StringBuilder(prefix);
        out.setCharAt(last + 1, (char) (length >> 8));
        out.setCharAt(last + 2, (char) (length & 0xff));
        return out.toString();
    }

    /** The bytes of an IP literal, as ISO-8859-1 characters. */
    static String addressBytes(String literal) {
        try {
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            StringBuilder out = new StringBuilder(bytes.length);
            for (byte b : bytes) {
                out.append((char) (b & 0xff));
            }
            return out.toString();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /**
     * Reads a PROXY header at the start of {@code in}. {@code source} is the client address it
     * names, or {@code null} when it names none or does not parse; {@code present} is false when
     * the bytes do not start like a PROXY header at all.
     */
    static Parsed parse(byte[] in) {
        if (startsWith(in, V2_SIGNATURE)) {
            return parseV2(in);
        }
        if (!startsWith(in, "PROXY")) {
            return new Parsed(false, null, 0);
        }
        int end = indexOfCrlf(in, 0, 107);
        if (end < 0) {
            return new Parsed(true, null, in.length);
        }
        String[] parts = new String(in, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1).split(" ", -1);
        String source = null;
        if (parts.length == 6 && parts[0].equals("PROXY") && parts[1].equals("TCP4") && isIpv4(parts[2])) {
            source = parts[2];
        }
        return new Parsed(true, source, end + 2);
    }

    private static Parsed parseV2(byte[] in) {
        int headerLength = V2_SIGNATURE.length() + 4;
        if (in.length < headerLength) {
            return new Parsed(true, null, in.length);
        }
        int versionCommand = in[12] & 0xff;
        int family = in[13] & 0xff;
        int length = ((in[14] & 0xff) << 8) | (in[15] & 0xff);
        int start = headerLength + length;
        String source = null;
        if (versionCommand == 0x21 && (family == 0x11 || family == 0x12) && length >= 12 && in.length >= 20) {
            source = dotted(in, 16);
        } else if (versionCommand == 0x21 && (family == 0x21 || family == 0x22) && length >= 36 && in.length >= 32
                && isIpv4Mapped(in, 16)) {
            source = dotted(in, 28);
        }
        return new Parsed(true, source, Math.min(start, in.length));
    }

    private static String dotted(byte[] in, int at) {
        return (in[at] & 0xff) + "." + (in[at + 1] & 0xff) + "." + (in[at + 2] & 0xff) + "." + (in[at + 3] & 0xff);
    }

    /** {@code ::ffff:a.b.c.d}, which an allow list of IPv4 addresses matches as {@code a.b.c.d}. */
    private static boolean isIpv4Mapped(byte[] in, int at) {
        for (int i = 0; i < 10; i++) {
            if (in[at + i] != 0) {
                return false;
            }
        }
        return in[at + 10] == (byte) 0xff && in[at + 11] == (byte) 0xff;
    }

    private static boolean isIpv4(String text) {
        String[] octets = text.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (!octet.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] in, String prefix) {
        if (in.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if ((in[i] & 0xff) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfCrlf(byte[] in, int from, int max) {
        for (int i = from; i + 1 < in.length && i < from + max; i++) {
            if (in[i] == '\r' && in[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
