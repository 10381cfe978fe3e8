package dev.mapgate.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits what a client received on one connection into responses (RFC 9112 section 6), for the
 * socket fuzz, which sees only bytes. Whether response {@code j} has a body depends on the method
 * of request {@code j}, so the caller says which responses answer a HEAD.
 */
final class WireResponses {

    private WireResponses() {
    }

    /** The final responses in {@code in}; 1xx responses are counted in {@code informational[0]}. */
    static List<Outcome.Response> parse(byte[] in, Set<Integer> headResponses, Set<String> mapEtags,
                                        int[] informational, List<String> problems) {
        List<Outcome.Response> responses = new ArrayList<>();
        int pos = 0;
        while (pos < in.length) {
            int headEnd = WireRequests.indexOf(in, "\r\n\r\n", pos);
            if (headEnd < 0) {
                problems.add("[framing] a response head was cut off after " + responses.size() + " responses");
                return responses;
            }
            String[] lines = new String(in, pos, headEnd - pos, StandardCharsets.ISO_8859_1).split("\r\n", -1);
            String[] status = lines[0].split(" ", 3);
            if (status.length < 2 || !status[0].equals("HTTP/1.1") || !status[1].matches("[1-5][0-9][0-9]")) {
                problems.add("[framing] not a status line: " + lines[0]);
                return responses;
            }
            int code = Integer.parseInt(status[1]);
            String etag = null;
            String contentType = null;
            String length = null;
            boolean chunked = false;
            boolean close = false;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                String name = colon < 0 ? lines[i] : lines[i].substring(0, colon).toLowerCase(Locale.ROOT);
                String value = colon < 0 ? "" : WireRequests.trim(lines[i].substring(colon + 1));
                switch (name) {
                    case "etag" -> etag = value;
                    case "content-type" -> contentType = value;
                    case "content-length" -> length = value;
                    case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            int bodyStart = headEnd + 4;
            if (code / 100 == 1) {
                informational[0]++;
                pos = bodyStart;
                continue;
            }
            int bodyEnd;
            if (headResponses.contains(responses.size()) || code == 204 || code == 304) {
                bodyEnd = bodyStart;
            } else if (chunked) {
                bodyEnd = chunkedEnd(in, bodyStart);
            } else if (length != null && length.matches("[0-9]{1,9}")) {
                bodyEnd = bodyStart + Integer.parseInt(length);
            } else {
                bodyEnd = in.length;
            }
            if (bodyEnd < 0 || bodyEnd > in.length) {
                // Cut short: a response the connection ended in the middle of, which a client sees as such.
                bodyEnd = in.length;
            }
            String body = new String(in, bodyStart, bodyEnd - bodyStart, StandardCharsets.ISO_8859_1);
            boolean marker = body.contains(Site.MARKER);
            boolean mapEtag = etag != null && mapEtags.contains(etag);
            boolean mapType = contentType != null && contentType.startsWith("application/json");
            String why = ((marker ? "marker " : "") + (mapEtag ? "etag " : "") + (mapType ? "content-type" : "")).trim();
            responses.add(new Outcome.Response(code, marker, marker || mapEtag || mapType, why, etag));
            if (close) {
                // Nothing after it is a response. A request mapgate could not parse gets its 400 or
                // 414 with a body even if it was a HEAD: mapgate cannot know, and closes anyway.
                return responses;
            }
            pos = bodyEnd;
        }
        return responses;
    }

    /** The end of a chunked body at {@code from}, or -1 when it is not all there. */
    private static int chunkedEnd(byte[] in, int from) {
        int pos = from;
        while (true) {
            int lineEnd = WireRequests.indexOf(in, "\r\n", pos);
            if (lineEnd < 0) {
                return -1;
            }
            String line = new String(in, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
            int semicolon = line.indexOf(';');
            String size = (semicolon < 0 ? line : line.substring(0, semicolon)).trim();
            if (!size.matches("[0-9A-Fa-f]{1,8}")) {
                return -1;
            }
            int length = Integer.parseInt(size, 16);
            pos = lineEnd + 2;
            if (length == 0) {
                int end = WireRequests.indexOf(in, "\r\n", pos);
                while (end > pos) {
                    pos = end + 2;
                    end = WireRequests.indexOf(in, "\r\n", pos);
                }
                return end < 0 ? -1 : end + 2;
            }
            pos += length + 2;
            if (pos > in.length) {
                return -1;
            }
        }
    }
}
