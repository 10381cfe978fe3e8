package dev.mapgate.verify;

/**
 * A {@code Content-Range} as Sentry's fetcher accepts it: {@code bytes START-END/TOTAL}, every
 * number present. An unsatisfied range ({@code bytes *}{@code /TOTAL}) or an unknown total is refused, and
 * Sentry then asks again without {@code Range}.
 */
public record ContentRange(long start, long end, long total) {

    /** The parsed header, or an {@link IllegalArgumentException} saying what Sentry would reject. */
    public static ContentRange parse(String header) {
        if (header == null) {
            throw new IllegalArgumentException("a 206 without Content-Range");
        }
        String value = header.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equals("bytes")) {
            throw new IllegalArgumentException("Content-Range \"" + header + "\" is not in bytes");
        }
        String rest = value.substring(space + 1).strip();
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("Content-Range \"" + header + "\" has no total length");
        }
        String range = rest.substring(0, slash).strip();
        String total = rest.substring(slash + 1).strip();
        if (range.equals("*")) {
            throw new IllegalArgumentException("Content-Range \"" + header + "\" says the range is not satisfiable");
        }
        if (total.equals("*")) {
            throw new IllegalArgumentException("Content-Range \"" + header + "\" leaves the total length unknown");
        }
        int dash = range.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException("Content-Range \"" + header + "\" is malformed");
        }
        try {
            long start = Long.parseLong(range.substring(0, dash).strip());
            long end = Long.parseLong(range.substring(dash + 1).strip());
            long length = Long.parseLong(total);
            if (start < 0 || end < start || length <= end) {
                throw new IllegalArgumentException("Content-Range \"" + header + "\" is inconsistent");
            }
            return new ContentRange(start, end, length);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Content-Range \"" + header + "\" is malformed");
        }
    }

    public long length() {
        return end - start + 1;
    }
}
