package dev.mapgate.gate;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * The canonicaliser: reduces a request-target to the one path that is both classified and
 * forwarded, so the gate and the origin always judge the same resource.
 *
 * <p>The target is decoded exactly once. Anything that servers are known to read differently from
 * one another is refused rather than guessed at: double encoding, encoded separators, dot and
 * empty segments, backslashes, names that Windows trims, invalid UTF-8, and characters that
 * Unicode folding turns into separators. What survives is re-encoded from the decoded form, so the
 * origin never sees a byte of the client's spelling.
 *
 * <p>Each refusal names its rule in {@link BadTargetException#getMessage()}, for the debug log.
 *
 * @param path        decoded canonical path, always starting with {@code /}
 * @param encodedPath {@link #path} percent-encoded for the wire
 * @param rawQuery    the query as received (without {@code ?}), or {@code null}
 * @param authority   the host named by an absolute-form target, or {@code null} for origin-form
 */
public record RequestTarget(String path, String encodedPath, String rawQuery, Authority authority) {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** RFC 3986 pchar without pct-encoded: unreserved, sub-delims, ':' and '@'. */
    private static final boolean[] PCHAR = asciiSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            + "-._~" + "!$&'()*+,;=" + ":@");
    /**
     * Every byte RFC 3986 allows in a path or query, raw. '[' and ']' are gen-delims that clients
     * send unescaped in queries ("?a[]=1"); they never reach the origin raw in a path, because the
     * path is re-encoded. '#' is absent: a fragment is never sent, so one in a target is an attack.
     */
    private static final boolean[] RAW_TARGET = union(PCHAR, "/?%[]");

    /** Decoded bytes that would change the structure of the path if the origin saw them. */
    private static final String ENCODED_SEPARATORS = "/?#\\";

    /** An origin-form target; absolute-form is refused. */
    public static RequestTarget parse(String rawTarget) throws BadTargetException {
        return parse(rawTarget, AcceptedHosts.NONE);
    }

    /**
     * @param hosts the hosts an absolute-form target may name; other absolute-form targets, and
     *              the asterisk and authority forms, are refused
     * @throws BadTargetException naming the broken rule
     */
    public static RequestTarget parse(String rawTarget, AcceptedHosts hosts) throws BadTargetException {
        if (rawTarget == null || rawTarget.isEmpty()) {
            throw new BadTargetException("empty request-target");
        }
        if (isCanonicalPath(rawTarget)) {
            // Most targets: nothing to decode, refuse or re-encode, so the target is its own path.
            return new RequestTarget(rawTarget, rawTarget, null, null);
        }
        requireRawChars(rawTarget);

        Authority authority = null;
        int pathStart = 0;
        if (rawTarget.charAt(0) != '/') {
            int authorityStart = schemeLength(rawTarget);
            int authorityEnd = indexOfAny(rawTarget, "/?", authorityStart);
            try {
                authority = Authority.parse(rawTarget.substring(authorityStart, authorityEnd));
            } catch (IllegalArgumentException e) {
                throw new BadTargetException("absolute-form authority: " + e.getMessage());
            }
            if (!hosts.accepts(authority)) {
                throw new BadTargetException("absolute-form names a host that is not one of the accepted hosts");
            }
            pathStart = authorityEnd;
        }

        int question = rawTarget.indexOf('?', pathStart);
        int pathEnd = question < 0 ? rawTarget.length() : question;
        String rawPath = pathStart == pathEnd ? "/" : rawTarget.substring(pathStart, pathEnd);
        String rawQuery = question < 0 ? null : rawTarget.substring(question + 1);
        if (rawQuery != null) {
            // The query is forwarded as received, but still has to be well-formed.
            decodeBytes(rawQuery, "query", "");
        }
        String path = decodePath(rawPath);
        requireCanonical(path);
        return new RequestTarget(path, encode(path), rawQuery, authority);
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

    /**
     * Whether {@code target} is an origin-form path without query that the checks below would
     * return unchanged: only pchar and '/', so no escape and nothing to re-encode; no empty
     * segment but a trailing one; no segment ending in '.', which also rules out dot segments.
     * Stricter than those checks: a false here only means they have to run.
     */
    private static boolean isCanonicalPath(String target) {
        if (target.charAt(0) != '/') {
            return false;
        }
        char previous = '/';
        for (int i = 1; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/') {
                if (previous == '/' || previous == '.') {
                    return false;
                }
            } else if (c >= 128 || !PCHAR[c] || c == ';' || c == ':') {
                // ';' and ':' end a segment for some origins: the slow path reads it as they do.
                return false;
            }
            previous = c;
        }
        return previous != '.';
    }

    private static void requireRawChars(String raw) throws BadTargetException {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 128 || !RAW_TARGET[c]) {
                throw new BadTargetException(c == '#' ? "fragment in request-target"
                        : "byte 0x" + Integer.toHexString(c) + " is not allowed in a request-target");
            }
        }
    }

    /** @return where the authority starts after "http://" or "https://" (any case) */
    private static int schemeLength(String target) throws BadTargetException {
        if (target.regionMatches(true, 0, "http://", 0, 7)) {
            return 7;
        }
        if (target.regionMatches(true, 0, "https://", 0, 8)) {
            return 8;
        }
        throw new BadTargetException("request-target is neither origin-form nor http(s) absolute-form");
    }

    /** Decodes the path's escapes once, as strict UTF-8, refusing encoded separators and controls. */
    private static String decodePath(String rawPath) throws BadTargetException {
        // Decoding an encoded separator would split or merge segments the way some origins do
        // and others don't.
        byte[] bytes = decodeBytes(rawPath, "path", ENCODED_SEPARATORS);
        if (bytes == null) {
            return rawPath;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            // Also catches overlong forms such as %C0%AE, which lenient decoders turn into '.'.
            throw new BadTargetException("path is not valid UTF-8");
        }
    }

    /**
     * Checks that every escape is {@code %XX} and decodes them.
     *
     * @param forbidden characters that must not be the result of an escape
     * @return the decoded bytes, or {@code null} when {@code raw} holds no escape
     */
    private static byte[] decodeBytes(String raw, String part, String forbidden) throws BadTargetException {
        if (raw.indexOf('%') < 0) {
            return null;
        }
        byte[] bytes = new byte[raw.length()];
        int length = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 1 < raw.length() ? hexValue(raw.charAt(i + 1)) : -1;
                int low = i + 2 < raw.length() ? hexValue(raw.charAt(i + 2)) : -1;
                if (high < 0 || low < 0) {
                    // Includes IIS's %uXXXX, which only IIS decodes.
                    throw new BadTargetException("malformed percent-encoding in " + part);
                }
                c = (char) (high << 4 | low);
                if (forbidden.indexOf(c) >= 0) {
                    throw new BadTargetException("encoded '" + c + "' in " + part);
                }
                i += 2;
            }
            bytes[length++] = (byte) c;
        }
        return Arrays.copyOf(bytes, length);
    }

    /** The decoded path must be one that every origin resolves to the same file. */
    private static void requireCanonical(String path) throws BadTargetException {
        boolean ascii = true;
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            char c = i < path.length() ? path.charAt(i) : '/';
            if (c != '/') {
                ascii &= c < 128;
                requireAllowedDecoded(c);
                continue;
            }
            int length = i - segmentStart;
            if (length == 0) {
                // A trailing slash (a directory) is fine; "//" is merged by some origins and not others.
                if (i < path.length()) {
                    throw new BadTargetException("empty path segment");
                }
            } else if (isDotSegment(path, segmentStart, length)) {
                throw new BadTargetException("dot segment in path");
            } else if (path.charAt(i - 1) == '.' || path.charAt(i - 1) == ' ') {
                // Windows (IIS) trims these, so "app.js.map." would be served as "app.js.map".
                throw new BadTargetException("path segment ends in '.' or space");
            } else {
                requireCanonicalBefore(';', path, segmentStart, i);
                requireCanonicalBefore(':', path, segmentStart, i);
            }
            segmentStart = i + 1;
        }
        if (!ascii) {
            requireNoFoldedSeparators(path);
        }
    }

    /**
     * The segment {@code [start, end)} as an origin reads it that ends a segment at {@code mark}:
     * Tomcat, Jetty and Spring drop ";params" before resolving dot segments ("..;" is ".."), and
     * IIS reads "name::$INDEX_ALLOCATION" as the folder "name". What such an origin reads must
     * still be canonical, or it serves another folder than the one the gate classified.
     */
    private static void requireCanonicalBefore(char mark, String path, int start, int end) throws BadTargetException {
        int cut = path.indexOf(mark, start);
        if (cut < 0 || cut >= end) {
            return;
        }
        int length = cut - start;
        if (length == 0) {
            // ";jsessionid=1" as the last segment names the folder before it, as "/dir/" does.
            if (end < path.length()) {
                throw new BadTargetException("path segment is empty before '" + mark + "'");
            }
        } else if (isDotSegment(path, start, length)) {
            throw new BadTargetException("dot segment before '" + mark + "' in path");
        } else if (path.charAt(cut - 1) == '.' || path.charAt(cut - 1) == ' ') {
            throw new BadTargetException("path segment ends in '.' or space before '" + mark + "'");
        }
    }

    private static void requireAllowedDecoded(char c) throws BadTargetException {
        if (Character.isISOControl(c)) {
            throw new BadTargetException("control character in path");
        }
        if (c == '\\') {
            throw new BadTargetException("backslash in path");
        }
        if (c == '%') {
            throw new BadTargetException("percent sign left after decoding (double encoding)");
        }
    }

    /**
     * Some origins apply Unicode compatibility folding (NFKC), which turns a fullwidth solidus into
     * '/', "\u2025" into "..", and so on. A character that folds into a separator, dot, escape or
     * control is refused; letters that fold into letters are left to the classifier.
     */
    private static void requireNoFoldedSeparators(String path) throws BadTargetException {
        for (int i = 0; i < path.length(); ) {
            int cp = path.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 128) {
                continue;
            }
            String folded = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
            for (int j = 0; j < folded.length(); j++) {
                char f = folded.charAt(j);
                if (f == '/' || f == '.' || f == ';' || f == ':' || f == '?' || f == '#' || f == ' '
                        || f == '\\' || f == '%' || Character.isISOControl(f)) {
                    throw new BadTargetException("character U+" + Integer.toHexString(cp).toUpperCase()
                            + " folds into '" + f + "'");
                }
            }
        }
    }

    private static boolean isDotSegment(String path, int start, int length) {
        return (length == 1 && path.charAt(start) == '.')
                || (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.');
    }

    /** Percent-encodes everything but pchar and '/'; returns {@code path} itself when nothing needs it. */
    private static String encode(String path) {
        int first = 0;
        while (first < path.length() && isKept(path.charAt(first))) {
            first++;
        }
        if (first == path.length()) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length() + 16).append(path, 0, first);
        byte[] utf8 = path.substring(first).getBytes(StandardCharsets.UTF_8);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if (c < 128 && isKept((char) c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    private static boolean isKept(char c) {
        return c == '/' || (c < 128 && PCHAR[c]);
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
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
