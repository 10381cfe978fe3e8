package dev.mapgate.gate;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A request-target reduced to one canonical form: the decoded path that is classified, and the
 * re-encoded path that is forwarded, so the gate and the origin see the same resource.
 *
 * <p>Parsing is strict and fails closed: any target that two servers might read differently
 * (double encoding, encoded slashes, dot segments, backslashes, empty segments, invalid UTF-8,
 * characters outside RFC 3986) is refused rather than guessed at.
 *
 * @param path        decoded canonical path, always starting with {@code /}
 * @param encodedPath {@link #path} percent-encoded for the wire
 * @param rawQuery    the query as received (without {@code ?}), or {@code null}
 */
public record RequestTarget(String path, String encodedPath, String rawQuery) {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** RFC 3986 pchar without pct-encoded: unreserved, sub-delims, ':' and '@'. */
    private static final boolean[] PCHAR = asciiSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            + "-._~" + "!$&'()*+,;=" + ":@");
    // '[' and ']' are RFC 3986 characters that clients send unencoded (e.g. "?a[]=1"); they are
    // harmless because the forwarded path re-encodes them.
    private static final boolean[] RAW_PATH = union(PCHAR, "/%[]");
    private static final boolean[] RAW_QUERY = union(RAW_PATH, "?");
    private static final boolean[] RAW_AUTHORITY = union(asciiSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            + "0123456789" + "-._~" + "!$&'()*+,;="), ":[]%");

    /** @throws BadTargetException when the target is malformed or ambiguous */
    public static RequestTarget parse(String rawTarget) throws BadTargetException {
        if (rawTarget == null || rawTarget.isEmpty()) {
            throw new BadTargetException("empty request-target");
        }
        if (rawTarget.indexOf('#') >= 0) {
            throw new BadTargetException("fragment in request-target");
        }
        String pathAndQuery = rawTarget.charAt(0) == '/' ? rawTarget : pathOfAbsoluteForm(rawTarget);

        int question = pathAndQuery.indexOf('?');
        String rawPath = question < 0 ? pathAndQuery : pathAndQuery.substring(0, question);
        String rawQuery = question < 0 ? null : pathAndQuery.substring(question + 1);
        requireChars(rawPath, RAW_PATH, "path");
        requireValidPercentEscapes(rawPath);
        if (rawQuery != null) {
            requireChars(rawQuery, RAW_QUERY, "query");
            requireValidPercentEscapes(rawQuery);
        }

        String path = decode(rawPath);
        requireCanonical(path);
        return new RequestTarget(path, encode(path), rawQuery);
    }

    /** The origin-form target to forward: {@link #encodedPath} plus the query. */
    public String originForm() {
        return rawQuery == null ? encodedPath : encodedPath + '?' + rawQuery;
    }

    public static final class BadTargetException extends Exception {
        public BadTargetException(String message) {
            super(message, null, false, false);
        }
    }

    private static String pathOfAbsoluteForm(String target) throws BadTargetException {
        int authorityStart;
        if (target.regionMatches(true, 0, "http://", 0, 7)) {
            authorityStart = 7;
        } else if (target.regionMatches(true, 0, "https://", 0, 8)) {
            authorityStart = 8;
        } else {
            throw new BadTargetException("request-target is neither origin-form nor http(s) absolute-form");
        }
        int authorityEnd = authorityStart;
        while (authorityEnd < target.length() && target.charAt(authorityEnd) != '/' && target.charAt(authorityEnd) != '?') {
            authorityEnd++;
        }
        if (authorityEnd == authorityStart) {
            throw new BadTargetException("absolute-form without a host");
        }
        // RFC 9110 forbids userinfo in http(s) URIs; it is a classic way to disguise the real host.
        if (target.indexOf('@', authorityStart) >= 0 && target.indexOf('@', authorityStart) < authorityEnd) {
            throw new BadTargetException("userinfo in absolute-form");
        }
        requireChars(target.substring(authorityStart, authorityEnd), RAW_AUTHORITY, "authority");
        if (authorityEnd == target.length()) {
            return "/";
        }
        return target.charAt(authorityEnd) == '?' ? "/" + target.substring(authorityEnd) : target.substring(authorityEnd);
    }

    private static void requireChars(String raw, boolean[] allowed, String part) throws BadTargetException {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 128 || !allowed[c]) {
                throw new BadTargetException("character not allowed in " + part);
            }
        }
    }

    private static void requireValidPercentEscapes(String raw) throws BadTargetException {
        for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 3)) {
            if (i + 2 >= raw.length() || hexValue(raw.charAt(i + 1)) < 0 || hexValue(raw.charAt(i + 2)) < 0) {
                throw new BadTargetException("malformed percent-encoding");
            }
        }
    }

    /** Decodes escapes exactly once, as strict UTF-8. Escapes are already known to be well-formed. */
    private static String decode(String rawPath) throws BadTargetException {
        if (rawPath.indexOf('%') < 0) {
            return rawPath;
        }
        byte[] bytes = new byte[rawPath.length()];
        int length = 0;
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                int b = hexValue(rawPath.charAt(i + 1)) << 4 | hexValue(rawPath.charAt(i + 2));
                if (b == '/') {
                    // Decoding it would merge segments the origin may keep apart.
                    throw new BadTargetException("encoded slash in path");
                }
                bytes[length++] = (byte) b;
                i += 2;
            } else {
                bytes[length++] = (byte) c;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadTargetException("path is not valid UTF-8");
        }
    }

    private static void requireCanonical(String path) throws BadTargetException {
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            char c = i < path.length() ? path.charAt(i) : '/';
            if (Character.isISOControl(c)) {
                throw new BadTargetException("control character in path");
            }
            if (c == '\\') {
                throw new BadTargetException("backslash in path");
            }
            if (c == '%') {
                throw new BadTargetException("percent sign left after decoding (double encoding)");
            }
            if (c != '/') {
                continue;
            }
            int segmentLength = i - segmentStart;
            if (segmentLength == 0 && i < path.length()) {
                throw new BadTargetException("empty path segment");
            }
            if (isDotSegment(path, segmentStart, segmentLength)) {
                throw new BadTargetException("dot segment in path");
            }
            segmentStart = i + 1;
        }
    }

    private static boolean isDotSegment(String path, int start, int length) {
        return (length == 1 && path.charAt(start) == '.')
                || (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.');
    }

    /** Percent-encodes everything but pchar and the separators; returns {@code path} itself when nothing needs it. */
    private static String encode(String path) {
        int first = 0;
        while (first < path.length() && isKept(path.charAt(first))) {
            first++;
        }
        if (first == path.length()) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length() + 16).append(path, 0, first);
        for (int i = first; i < path.length(); ) {
            char c = path.charAt(i);
            if (isKept(c)) {
                out.append(c);
                i++;
                continue;
            }
            int codePoint = path.codePointAt(i);
            appendUtf8Escaped(out, codePoint);
            i += Character.charCount(codePoint);
        }
        return out.toString();
    }

    private static boolean isKept(char c) {
        return c == '/' || (c < 128 && PCHAR[c]);
    }

    private static void appendUtf8Escaped(StringBuilder out, int cp) {
        if (cp < 0x80) {
            appendEscaped(out, cp);
        } else if (cp < 0x800) {
            appendEscaped(out, 0xC0 | cp >> 6);
            appendEscaped(out, 0x80 | cp & 0x3F);
        } else if (cp < 0x10000) {
            appendEscaped(out, 0xE0 | cp >> 12);
            appendEscaped(out, 0x80 | cp >> 6 & 0x3F);
            appendEscaped(out, 0x80 | cp & 0x3F);
        } else {
            appendEscaped(out, 0xF0 | cp >> 18);
            appendEscaped(out, 0x80 | cp >> 12 & 0x3F);
            appendEscaped(out, 0x80 | cp >> 6 & 0x3F);
            appendEscaped(out, 0x80 | cp & 0x3F);
        }
    }

    private static void appendEscaped(StringBuilder out, int b) {
        out.append('%').append(HEX[b >> 4 & 0xF]).append(HEX[b & 0xF]);
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    private static boolean[] asciiSet(String chars) {
        boolean[] set = new boolean[128];
        for (int i = 0; i < chars.length(); i++) {
            set[chars.charAt(i)] = true;
        }
        return set;
    }

    private static boolean[] union(boolean[] base, String more) {
        boolean[] set = base.clone();
        for (int i = 0; i < more.length(); i++) {
            set[more.charAt(i)] = true;
        }
        return set;
    }
}
