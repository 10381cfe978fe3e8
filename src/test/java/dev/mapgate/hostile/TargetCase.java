package dev.mapgate.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code hostile/targets.txt}: a request-target, sent byte for byte, and what mapgate
 * must answer to it.
 *
 * @param written the target as written in the file, escapes and all (for names and messages)
 * @param target  the bytes sent
 */
record TargetCase(Expect expect, String written, byte[] target, String comment, int line) {

    static final String RESOURCE = "/hostile/targets.txt";

    /** What the documented rules say mapgate answers. */
    enum Expect {
        /** Refused by the canonicaliser: 400, {@code Connection: close}, then the connection closes. */
        REFUSED("400"),
        /** A valid target on a gated path without credentials: the deny response, never the map. */
        DENIED("DENY"),
        /** Legitimate: the origin's 200 with the file's bytes. */
        SERVED("PASS");

        final String label;

        Expect(String label) {
            this.label = label;
        }

        static Expect of(String label, int line) {
            for (Expect e : values()) {
                if (e.label.equals(label)) {
                    return e;
                }
            }
            throw new IllegalArgumentException(RESOURCE + ":" + line + ": unknown expectation '" + label
                    + "'; use 400, DENY or PASS");
        }
    }

    /** Every case in the file, in file order. */
    static List<TargetCase> load() {
        try (InputStream in = TargetCase.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<TargetCase> parse(String file) {
        List<TargetCase> cases = new ArrayList<>();
        String[] lines = file.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String text = lines[i];
            int line = i + 1;
            if (text.isBlank() || text.startsWith("#")) {
                continue;
            }
            String[] fields = text.split("\t", -1);
            if (fields.length != 3 || fields[1].isEmpty() || fields[2].isBlank()) {
                throw new IllegalArgumentException(RESOURCE + ":" + line
                        + ": expected EXPECT<TAB>TARGET<TAB>comment, got: " + text);
            }
            cases.add(new TargetCase(Expect.of(fields[0], line), fields[1], unescape(fields[1], line), fields[2], line));
        }
        return cases;
    }

    /**
     * The target's bytes: {@code \xNN} is the byte NN; every other character must be printable
     * ASCII and stands for itself. A literal backslash is therefore written {@code \x5c}.
     */
    static byte[] unescape(String written, int line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < written.length(); i++) {
            char c = written.charAt(i);
            if (c == '\\') {
                int value = i + 3 < written.length() && written.charAt(i + 1) == 'x'
                        ? hexByte(written, i + 2) : -1;
                if (value < 0) {
                    throw new IllegalArgumentException(RESOURCE + ":" + line + ": '\\' must start \\xNN in " + written);
                }
                out.write(value);
                i += 3;
            } else if (c > 0x20 && c < 0x7f) {
                out.write(c);
            } else {
                throw new IllegalArgumentException(RESOURCE + ":" + line
                        + ": write spaces, controls and non-ASCII as \\xNN in " + written);
            }
        }
        return out.toByteArray();
    }

    private static int hexByte(String s, int at) {
        int high = Character.digit(s.charAt(at), 16);
        int low = Character.digit(s.charAt(at + 1), 16);
        return high < 0 || low < 0 ? -1 : high << 4 | low;
    }

    /** The request as sent: nothing but the target varies. */
    byte[] request() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GET ".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(target);
        out.writeBytes(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /**
     * For a PASS case, the site file it names: the path without scheme, authority and query,
     * percent-decoded as UTF-8, with a directory meaning its index.html.
     */
    String servedFile() {
        String target = new String(this.target, StandardCharsets.ISO_8859_1);
        int scheme = target.indexOf("://");
        if (scheme > 0 && !target.startsWith("/")) {
            int path = target.indexOf('/', scheme + 3);
            target = path < 0 ? "/" : target.substring(path);
        }
        int query = target.indexOf('?');
        String path = percentDecode(query < 0 ? target : target.substring(0, query));
        return path.endsWith("/") ? path + "index.html" : path;
    }

    private static String percentDecode(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%') {
                out.write(hexByte(path, i + 1));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return expect.label + " GET " + written + " (" + comment + "; targets.txt:" + line + ")";
    }
}
