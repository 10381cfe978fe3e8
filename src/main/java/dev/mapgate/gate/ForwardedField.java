package dev.mapgate.gate;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The elements of an RFC 7239 {@code Forwarded} field, reduced to what the client address is read
 * from: each element's {@code for=} node.
 *
 * <p>The whole field is read left to right, because only then is it known which commas and
 * semicolons sit inside a quoted-string. When that cannot be known (a quote left open, a stray
 * character) no element boundary can be trusted, so the field as a whole is malformed. A
 * quoted-string ends with its line: each field line is a complete list (RFC 9110 5.3), so a quote
 * still open at the end of one is broken, not continued on the next.
 *
 * <p>Lenient in two ways that cannot move an element boundary: OWS around {@code ;}, and an
 * unquoted value may also hold {@code :}, {@code [} and {@code ]} (hops that forget to quote
 * {@code for=[2001:db8::1]:4711} or {@code for=192.0.2.60:4711}), none of which delimits anything.
 *
 * @param elements the last elements of the field, left to right, at most as many as asked for
 * @param problem  why the field is malformed, with no client text in it; {@code null} when it is not
 */
record ForwardedField(List<Element> elements, String problem) {

    /**
     * One element's {@code for} parameter.
     *
     * @param forNode  the (unquoted) value of its {@code for} parameter, or {@code null} when it has none
     * @param forCount how many {@code for} parameters it has; only 1 makes its node readable
     */
    record Element(String forNode, int forCount) {
    }

    /**
     * @param lines every field line in the order received
     * @param keep  how many elements from the right to keep: a long field costs one pass, not memory
     */
    static ForwardedField parse(List<String> lines, int keep) {
        ArrayDeque<Element> last = new ArrayDeque<>();
        for (int line = 0; line < lines.size(); line++) {
            String text = lines.get(line);
            String problem = text == null ? null : new LineParser(text, last, keep).parse();
            if (problem != null) {
                return new ForwardedField(List.of(), "line " + (line + 1) + " is malformed at character "
                        + problem);
            }
        }
        return new ForwardedField(List.copyOf(last), null);
    }

    /** Reads one field line into elements; one instance per line. */
    private static final class LineParser {
        private final String text;
        private final ArrayDeque<Element> last;
        private final int keep;
        private int i;
        private String forNode;
        private int forCount;

        LineParser(String text, ArrayDeque<Element> last, int keep) {
            this.text = text;
            this.last = last;
            this.keep = keep;
        }

        /** @return {@code null}, or where (1-based) and why the line is malformed */
        String parse() {
            while (true) {
                skipOws();
                if (i == text.length()) {
                    return null;
                }
                if (text.charAt(i) == ',') {
                    i++; // an empty list element, ignored as RFC 9110 5.6.1 asks
                    continue;
                }
                String problem = element();
                if (problem != null) {
                    return (i + 1) + ": " + problem;
                }
            }
        }

        /** One element, up to and including the comma that ends it. */
        private String element() {
            forNode = null;
            forCount = 0;
            while (true) {
                skipOws();
                if (i < text.length() && text.charAt(i) != ',' && text.charAt(i) != ';') {
                    String problem = pair();
                    if (problem != null) {
                        return problem;
                    }
                    skipOws();
                }
                if (i == text.length() || text.charAt(i) == ',') {
                    break;
                }
                if (text.charAt(i) != ';') {
                    return "expected ';' or ','";
                }
                i++;
            }
            if (i < text.length()) {
                i++; // the comma
            }
            last.addLast(new Element(forNode, forCount));
            if (last.size() > keep) {
                last.removeFirst();
            }
            return null;
        }

        private String pair() {
            int nameStart = i;
            while (i < text.length() && HttpToken.isTchar(text.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                return "expected a parameter name";
            }
            boolean isFor = i - nameStart == 3 && text.regionMatches(true, nameStart, "for", 0, 3);
            if (i == text.length() || text.charAt(i) != '=') {
                return "expected '=' after a parameter name";
            }
            i++;
            int valueStart = i;
            String value;
            if (i < text.length() && text.charAt(i) == '"') {
                value = quotedString(isFor);
                if (value == null) {
                    return "unterminated or invalid quoted-string";
                }
            } else {
                while (i < text.length() && isUnquotedValueChar(text.charAt(i))) {
                    i++;
                }
                if (i == valueStart) {
                    return "expected a parameter value";
                }
                value = isFor ? text.substring(valueStart, i) : "";
            }
            if (isFor && ++forCount == 1) {
                forNode = value;
            }
            return null;
        }

        /**
         * @param keepValue whether the unescaped value is wanted; other parameters are only skipped
         * @return the value without quotes and escapes ({@code ""} when not kept), or {@code null}
         *         when the quoted-string does not end on this line or holds a control character
         */
        private String quotedString(boolean keepValue) {
            StringBuilder value = keepValue ? new StringBuilder() : null;
            i++;
            while (i < text.length()) {
                char c = text.charAt(i++);
                if (c == '"') {
                    return value == null ? "" : value.toString();
                }
                if (c == '\\') {
                    if (i == text.length()) {
                        return null;
                    }
                    c = text.charAt(i++);
                }
                if (!isQuotedTextChar(c)) {
                    return null;
                }
                if (value != null) {
                    value.append(c);
                }
            }
            return null;
        }

        private void skipOws() {
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
        }
    }

    private static boolean isUnquotedValueChar(char c) {
        return HttpToken.isTchar(c) || c == ':' || c == '[' || c == ']';
    }

    /** What may stand in a quoted-string, escaped or not: HTAB, SP, VCHAR and obs-text. */
    private static boolean isQuotedTextChar(char c) {
        return c == '\t' || (c >= 0x20 && c != 0x7F && c <= 0xFF);
    }
}
