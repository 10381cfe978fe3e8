package dev.mapgate.fuzz;

import dev.mapgate.testing.ResponseReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The oracle's own reading of a byte stream as pipelined HTTP/1.1 requests, straight from RFC
 * 9112 and sharing no code with mapgate or Netty: where each request starts and ends, its request
 * line and its field lines. It stops at the first thing it does not understand; a request past
 * that point cannot be attributed, which the oracle treats as suspect rather than guessing.
 */
final class WireRequests {

    /** One framed request. Field values are trimmed of spaces and tabs, as RFC 9110 5.5 asks. */
    record Request(int start, int end, String method, String target, String version, List<String[]> fields) {

        /** Every value of field {@code name}, case-insensitive, in order. */
        List<String> values(String name) {
            List<String> out = new ArrayList<>(2);
            for (String[] field : fields) {
                if (field[0].equalsIgnoreCase(name)) {
                    out.add(field[1]);
                }
            }
            return out;
        }

        String requestLine() {
            String line = method + " " + target + " " + version;
            return line.length() > 200 ? line.substring(0, 200) + "..." : line;
        }
    }

    /** The requests framed, and why framing stopped ("end" when all input was read). */
    record Framing(List<Request> requests, String stop) {
    }

    private static final int PARTIAL = -1;
    private static final int BROKEN = -2;

    private WireRequests() {
    }

    static Framing frame(byte[] in, int from) {
        List<Request> requests = new ArrayList<>();
        int pos = from;
        while (true) {
            // RFC 9112 2.2 lets a server ignore empty lines before a request line; Netty skips
            // any control or space bytes there, and so does the oracle. mapgate never forwards them.
            while (pos < in.length && ((in[pos] & 0xff) <= ' ' || in[pos] == 0x7f)) {
                pos++;
            }
            if (pos >= in.length) {
                return new Framing(requests, "end");
            }
            int headEnd = indexOf(in, "\r\n\r\n", pos);
            if (headEnd < 0) {
                return new Framing(requests, "partial head");
            }
            String[] lines = new String(in, pos, headEnd - pos, StandardCharsets.ISO_8859_1).split("\r\n", -1);
            String[] parts = lines[0].split(" ", -1);
            if (parts.length != 3 || !isToken(parts[0]) || !isTarget(parts[1])
                    || !(parts[2].equals("HTTP/1.1") || parts[2].equals("HTTP/1.0"))) {
                return new Framing(requests, "request line");
            }
            List<String[]> fields = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                if (!isFieldLine(line)) {
                    return new Framing(requests, "field line " + (i + 1));
                }
                int colon = line.indexOf(':');
                fields.add(new String[] {line.substring(0, colon), ResponseReader.trimOws(line.substring(colon + 1))});
            }
            Request head = new Request(pos, 0, parts[0], parts[1], parts[2], fields);
            int bodyStart = headEnd + 4;
            int end = bodyEnd(in, head, bodyStart);
            if (end == PARTIAL) {
                return new Framing(requests, "partial body");
            }
            if (end == BROKEN) {
                return new Framing(requests, "body framing");
            }
            requests.add(new Request(pos, end, head.method(), head.target(), head.version(), fields));
            pos = end;
        }
    }

    private static int bodyEnd(byte[] in, Request head, int bodyStart) {
        List<String> codings = head.values("Transfer-Encoding");
        List<String> lengths = head.values("Content-Length");
        if (!codings.isEmpty()) {
            boolean chunked = codings.size() == 1 && codings.get(0).toLowerCase(Locale.ROOT).equals("chunked");
            return chunked && lengths.isEmpty() && head.version().equals("HTTP/1.1") ? chunkedEnd(in, bodyStart) : BROKEN;
        }
        if (lengths.isEmpty()) {
            return bodyStart;
        }
        if (lengths.size() != 1 || !lengths.get(0).matches("[0-9]{1,15}")) {
            return BROKEN;
        }
        long end = bodyStart + Long.parseLong(lengths.get(0));
        return end > in.length ? PARTIAL : (int) end;
    }

    private static int chunkedEnd(byte[] in, int from) {
        int pos = from;
        while (true) {
            int lineEnd = indexOf(in, "\r\n", pos);
            if (lineEnd < 0) {
                return PARTIAL;
            }
            String line = new String(in, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
            int semicolon = line.indexOf(';');
            String size = semicolon < 0 ? line : line.substring(0, semicolon);
            if (!size.matches("[0-9A-Fa-f]{1,8}") || line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                return BROKEN;
            }
            long length = Long.parseLong(size, 16);
            if (length > 0x7FFFFFFFL) {
                return BROKEN;
            }
            pos = lineEnd + 2;
            if (length == 0) {
                return trailerEnd(in, pos);
            }
            if (pos + length + 2 > in.length) {
                return PARTIAL;
            }
            int dataEnd = pos + (int) length;
            if (in[dataEnd] != '\r' || in[dataEnd + 1] != '\n') {
                return BROKEN;
            }
            pos = dataEnd + 2;
        }
    }

    private static int trailerEnd(byte[] in, int from) {
        int pos = from;
        while (true) {
            int lineEnd = indexOf(in, "\r\n", pos);
            if (lineEnd < 0) {
                return PARTIAL;
            }
            if (lineEnd == pos) {
                return pos + 2;
            }
            if (!isFieldLine(new String(in, pos, lineEnd - pos, StandardCharsets.ISO_8859_1))) {
                return BROKEN;
            }
            pos = lineEnd + 2;
        }
    }

    /** {@code name: value} with a token for a name, no whitespace before the colon, no bare CR or LF. */
    private static boolean isFieldLine(String line) {
        int colon = line.indexOf(':');
        return colon > 0 && isToken(line.substring(0, colon)) && line.indexOf('\r') < 0 && line.indexOf('\n') < 0;
    }

    /** RFC 9110 5.6.2 token: the characters a method or field name may have. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTarget(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(byte[] in, String needle, int from) {
        outer:
        for (int i = Math.max(0, from); i + needle.length() <= in.length; i++) {
            for (int k = 0; k < needle.length(); k++) {
                if ((in[i + k] & 0xff) != needle.charAt(k)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
