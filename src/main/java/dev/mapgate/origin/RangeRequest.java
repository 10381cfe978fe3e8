package dev.mapgate.origin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a {@code Range} header asks of a representation of known size. Only single byte ranges are
 * honoured: RFC 9110 lets a server ignore Range, and answering multiple ranges would need
 * {@code multipart/byteranges}, which no client of mapgate (browsers loading scripts, Sentry)
 * asks for.
 */
public sealed interface RangeRequest {

    /** Send the whole representation with 200: no Range, or one that is ignored. */
    record Whole() implements RangeRequest {
    }

    /** Send this part with 206. */
    record Part(ByteRange range) implements RangeRequest {
    }

    /** Answer 416: the range is well-formed but starts past the end. */
    record Unsatisfiable() implements RangeRequest {
    }

    RangeRequest WHOLE = new Whole();
    RangeRequest UNSATISFIABLE = new Unsatisfiable();

    /**
     * @param header the {@code Range} header value, or {@code null}
     * @param size   length of the representation in bytes
     */
    static RangeRequest parse(String header, long size) {
        if (header == null) {
            return WHOLE;
        }
        int eq = header.indexOf('=');
        if (eq < 0 || !header.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return WHOLE;
        }
        // The list grammar allows empty elements ("bytes=0-1,"), so only non-empty ones count.
        List<String> specs = new ArrayList<>(1);
        for (String element : header.substring(eq + 1).split(",", -1)) {
            String trimmed = element.trim();
            if (!trimmed.isEmpty()) {
                specs.add(trimmed);
            }
        }
        if (specs.size() != 1) {
            return WHOLE;
        }
        return parseSpec(specs.get(0), size);
    }

    private static RangeRequest parseSpec(String spec, long size) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return WHOLE;
        }
        String firstText = spec.substring(0, dash);
        String lastText = spec.substring(dash + 1);
        if (firstText.isEmpty()) {
            long suffix = parseDigits(lastText);
            if (suffix < 0) {
                return WHOLE;
            }
            if (suffix == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new Part(new ByteRange(Math.max(0, size - suffix), size - 1, size));
        }
        long first = parseDigits(firstText);
        if (first < 0) {
            return WHOLE;
        }
        long last;
        if (lastText.isEmpty()) {
            last = Long.MAX_VALUE;
        } else {
            last = parseDigits(lastText);
            if (last < 0 || last < first) {
                return WHOLE;
            }
        }
        if (first >= size) {
            return UNSATISFIABLE;
        }
        return new Part(new ByteRange(first, Math.min(last, size - 1), size));
    }

    /**
     * Non-negative decimal digits only (no sign, no spaces); saturates at {@link Long#MAX_VALUE}
     * because an absurdly large position is still well-formed. Returns -1 when not digits.
     */
    private static long parseDigits(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            int digit = c - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                value = Long.MAX_VALUE;
            } else {
                value = value * 10 + digit;
            }
        }
        return value;
    }
}
