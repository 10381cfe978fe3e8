package dev.mapgate.verify;

import java.util.Optional;

/**
 * Finds the {@code sourceMappingURL} Sentry would follow in a minified JavaScript file.
 *
 * <p>The rules are Sentry's (symbolic's {@code discover_sourcemaps_location}), not the spec's:
 * the last occurrence of {@code sourceMappingURL=} wins, as long as exactly {@code "//# "} or the
 * old {@code "//@ "} stands right before it, anywhere on a line. So a CSS {@code /*# ... *}{@code /}
 * comment does not count, and neither does {@code //#sourceMappingURL=} without the space. The
 * value starts after any whitespace following {@code =} and runs to the next whitespace; its query
 * string and fragment are dropped.
 */
public final class MapReference {

    private static final String NEEDLE = "sourceMappingURL=";

    private MapReference() {}

    /** The reference as written (query and fragment dropped), or empty when there is none. */
    public static Optional<String> find(String js) {
        for (int at = js.lastIndexOf(NEEDLE); at >= 0; at = at == 0 ? -1 : js.lastIndexOf(NEEDLE, at - 1)) {
            if (at >= 4 && isCommentPrefix(js.substring(at - 4, at))) {
                return Optional.of(stripQueryAndFragment(value(js, at + NEEDLE.length())));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether any {@code sourceMappingURL} comment in {@code js}, not only the last one Sentry
     * follows, holds an inline {@code data:} map: its source is then public inside the file.
     */
    public static boolean hasInlineMap(String js) {
        for (int at = js.indexOf(NEEDLE); at >= 0; at = js.indexOf(NEEDLE, at + 1)) {
            if (at >= 4 && isCommentPrefix(js.substring(at - 4, at)) && DataUrl.isDataUrl(value(js, at + NEEDLE.length()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isCommentPrefix(String fourChars) {
        return fourChars.equals("//# ") || fourChars.equals("//@ ");
    }

    private static String value(String js, int from) {
        int start = from;
        while (start < js.length() && isAsciiWhitespace(js.charAt(start))) {
            start++;
        }
        int end = start;
        while (end < js.length() && !isAsciiWhitespace(js.charAt(end))) {
            end++;
        }
        return js.substring(start, end);
    }

    private static String stripQueryAndFragment(String value) {
        int query = value.indexOf('?');
        String withoutQuery = query < 0 ? value : value.substring(0, query);
        int fragment = withoutQuery.indexOf('#');
        return fragment < 0 ? withoutQuery : withoutQuery.substring(0, fragment);
    }

    /** Rust's {@code u8::is_ascii_whitespace}: no vertical tab, unlike Java's {@code isWhitespace}. */
    static boolean isAsciiWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
    }
}
