package dev.mapgate.origin;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/**
 * Conditional-request evaluation for GET and HEAD (RFC 9110 section 13), on header values as
 * received. Unparseable values are ignored rather than rejected, as the RFC asks.
 */
public final class Preconditions {

    private Preconditions() {
    }

    /**
     * Whether to answer 304. If-None-Match wins over If-Modified-Since: when it is present, the
     * date is not looked at, because an ETag distinguishes two versions written within one second.
     */
    public static boolean notModified(String ifNoneMatch, String ifModifiedSince, Validators current) {
        if (ifNoneMatch != null) {
            return noneMatchMatches(ifNoneMatch, current.etag());
        }
        if (ifModifiedSince != null) {
            Date since = DateFormatter.parseHttpDate(ifModifiedSince);
            return since != null && current.modifiedSeconds() <= Math.floorDiv(since.getTime(), 1000);
        }
        return false;
    }

    /**
     * Whether a Range may be honoured given If-Range: yes without If-Range; otherwise only when
     * it names the current version, by strong ETag or by the exact Last-Modified date. Anything
     * else means the client's partial copy is stale, so it gets the whole file.
     */
    public static boolean rangeAllowed(String ifRange, Validators current) {
        if (ifRange == null) {
            return true;
        }
        String value = ifRange.trim();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            // Weak tags never match in a strong comparison, and ours are always strong.
            return value.equals(current.etag());
        }
        Date date = DateFormatter.parseHttpDate(value);
        return date != null && date.getTime() == current.modifiedSeconds() * 1000;
    }

    /** Weak comparison of each entity-tag in the list against {@code etag}; {@code *} matches any. */
    static boolean noneMatchMatches(String header, String etag) {
        String opaque = stripWeak(etag);
        int i = 0;
        int n = header.length();
        while (i < n) {
            char c = header.charAt(i);
            if (c == ' ' || c == '\t' || c == ',') {
                i++;
                continue;
            }
            if (c == '*') {
                return true;
            }
            int start = i;
            if (header.startsWith("W/", i)) {
                i += 2;
            }
            if (i < n && header.charAt(i) == '"') {
                // An opaque-tag may contain commas, so scan to the closing quote, not the comma.
                int close = header.indexOf('"', i + 1);
                if (close < 0) {
                    return false;
                }
                if (header.substring(i, close + 1).equals(opaque)) {
                    return true;
                }
                i = close + 1;
            } else {
                // Malformed element: skip it rather than give up on the rest of the list.
                int comma = header.indexOf(',', start);
                i = comma < 0 ? n : comma + 1;
            }
        }
        return false;
    }

    private static String stripWeak(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }
}
