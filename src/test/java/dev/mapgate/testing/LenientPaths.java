package dev.mapgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The worst-case way to turn a request-target into a file: the union of what real servers do to a
 * path, applied together. If mapgate forwards anything that some server would resolve to a gated
 * file, this resolver resolves it to that file too.
 *
 * <p>In order: drop an absolute-form prefix; cut at {@code ?} or {@code #}; percent-decode until
 * nothing changes (double decoding), including IIS's {@code %uXXXX}; read the bytes as UTF-8 that
 * tolerates overlong forms and lone surrogates ({@code %C0%AE} is '.'), falling back to Latin-1;
 * turn {@code \} into {@code /} (Windows); fold with NFKC (fullwidth {@code ．} is '.'); cut at
 * {@code ?} or {@code #} again, for servers that decode before splitting. Then per segment: cut at
 * NUL (C strings), at {@code ;} (Tomcat and Spring path parameters) and at {@code :} (NTFS
 * alternate data streams, {@code ::$DATA}); trim trailing dots and spaces (Windows); drop empty
 * and {@code .} segments and resolve {@code ..}. Names are matched ignoring case (Windows, macOS),
 * and a file followed by more segments is served with the rest as PATH_INFO (Apache
 * AcceptPathInfo): {@code /a/app.js.map/x.js} serves {@code app.js.map}.
 */
public final class LenientPaths {

    private static final int MAX_DECODE_ROUNDS = 8;

    private LenientPaths() {
    }

    /** @return the file {@code target} resolves to under {@code site}, or {@code null} */
    public static Path resolve(Path site, String target) {
        Path current = site;
        for (String segment : segments(target)) {
            current = findIgnoringCase(current, segment);
            if (current == null) {
                return null;
            }
            if (Files.isRegularFile(current)) {
                return current;
            }
        }
        Path index = current.resolve("index.html");
        return Files.isRegularFile(index) ? index : null;
    }

    /** The resolved segments, with dot segments applied. */
    static Deque<String> segments(String target) {
        String path = cutQueryOrFragment(withoutSchemeAndAuthority(target));
        byte[] bytes = path.getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < MAX_DECODE_ROUNDS; round++) {
            byte[] decoded = percentDecode(bytes);
            if (decoded.length == bytes.length) {
                // Every escape shortens the input, so an unchanged length means nothing was decoded.
                break;
            }
            bytes = decoded;
        }
        String text = Normalizer.normalize(lenientUtf8(bytes).replace('\\', '/'), Normalizer.Form.NFKC);
        Deque<String> segments = new ArrayDeque<>();
        for (String raw : cutQueryOrFragment(text).split("/")) {
            String segment = trimTrailingDotsAndSpaces(cutAtAny(raw, "\0;:"));
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        return segments;
    }

    private static String withoutSchemeAndAuthority(String target) {
        int scheme = target.indexOf("://");
        if (scheme <= 0 || !target.substring(0, scheme).chars().allMatch(Character::isLetter)) {
            return target;
        }
        int path = target.indexOf('/', scheme + 3);
        return path < 0 ? "/" : target.substring(path);
    }

    private static String cutQueryOrFragment(String s) {
        return cutAtAny(s, "?#");
    }

    private static String cutAtAny(String s, String stops) {
        for (int i = 0; i < s.length(); i++) {
            if (stops.indexOf(s.charAt(i)) >= 0) {
                return s.substring(0, i);
            }
        }
        return s;
    }

    private static String trimTrailingDotsAndSpaces(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == ' ')) {
            end--;
        }
        // ".." is a dot segment, not a name with trailing dots.
        return s.equals("..") ? s : s.substring(0, end);
    }

    /** One round of {@code %XX} and {@code %uXXXX} decoding; malformed escapes stay as they are. */
    private static byte[] percentDecode(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 5 < in.length && (in[i + 1] == 'u' || in[i + 1] == 'U')
                    && hex(in, i + 2, 4) >= 0) {
                writeUtf8Unit(out, hex(in, i + 2, 4));
                i += 5;
            } else if (in[i] == '%' && i + 2 < in.length && hex(in, i + 1, 2) >= 0) {
                out.write(hex(in, i + 1, 2));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toByteArray();
    }

    /** UTF-8 of one UTF-16 code unit, surrogates included (as IIS does for {@code %uD800}). */
    private static void writeUtf8Unit(ByteArrayOutputStream out, int unit) {
        if (unit < 0x80) {
            out.write(unit);
        } else if (unit < 0x800) {
            out.write(0xC0 | unit >> 6);
            out.write(0x80 | unit & 0x3F);
        } else {
            out.write(0xE0 | unit >> 12);
            out.write(0x80 | unit >> 6 & 0x3F);
            out.write(0x80 | unit & 0x3F);
        }
    }

    /** UTF-8 that accepts overlong forms and surrogates; a byte that fits no sequence is Latin-1. */
    private static String lenientUtf8(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (int i = 0; i < bytes.length; ) {
            int b = bytes[i] & 0xFF;
            int extra = b >= 0xF0 && b <= 0xF7 ? 3 : b >= 0xE0 && b <= 0xEF ? 2 : b >= 0xC0 && b <= 0xDF ? 1 : 0;
            int cp = extra > 0 ? sequence(bytes, i, extra) : -1;
            if (cp >= 0) {
                out.appendCodePoint(cp);
                i += extra + 1;
            } else {
                out.append((char) b);
                i++;
            }
        }
        return out.toString();
    }

    /** @return the code point of the sequence at {@code start}, however overlong, or -1 */
    private static int sequence(byte[] bytes, int start, int extra) {
        if (start + extra >= bytes.length) {
            return -1;
        }
        int cp = bytes[start] & (0x3F >> extra);
        for (int k = 1; k <= extra; k++) {
            if ((bytes[start + k] & 0xC0) != 0x80) {
                return -1;
            }
            cp = cp << 6 | bytes[start + k] & 0x3F;
        }
        return cp <= Character.MAX_CODE_POINT ? cp : -1;
    }

    private static int hex(byte[] in, int from, int digits) {
        int value = 0;
        for (int k = 0; k < digits; k++) {
            int d = Character.digit(in[from + k], 16);
            if (d < 0) {
                return -1;
            }
            value = value << 4 | d;
        }
        return value;
    }

    private static Path findIgnoringCase(Path dir, String name) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        String wanted = fold(name);
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> fold(p.getFileName().toString()).equals(wanted)).findFirst().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String fold(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }
}
