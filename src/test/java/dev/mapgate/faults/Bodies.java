package dev.mapgate.faults;

import dev.mapgate.testing.Pattern;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;

/** Reads response bodies the way a careful client does: to the end, noticing when they stop short. */
final class Bodies {

    /** What arrived of a chunked body before the connection ended, and whether its last chunk was among it. */
    record Chunked(long bytes, boolean lastChunk) {
    }

    private static final java.util.regex.Pattern CONTENT_LENGTH = java.util.regex.Pattern.compile("\r\ncontent-length: *(\\d+)");

    private Bodies() {
    }

    /** Reads a body of {@link Pattern} bytes until the server closes or resets the connection; returns the byte count. */
    static long untilClosed(InputStream in) throws IOException {
        return pattern(in, 0, Long.MAX_VALUE);
    }

    /**
     * Reads until the server closes or resets the connection, or {@code limit} bytes arrived,
     * checking each byte against {@link Pattern} from {@code offset} on; returns the byte count.
     */
    static long pattern(InputStream in, long offset, long limit) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try {
            for (int n; total < limit && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - total))) > 0; ) {
                long bad = Pattern.firstMismatch(buf, offset + total, n);
                if (bad >= 0) {
                    throw new AssertionError("body corrupted at offset " + bad);
                }
                total += n;
            }
        } catch (SocketException reset) {
            // Reset rather than closed: the end all the same.
        }
        return total;
    }

    /**
     * Reads a chunked body of {@link Pattern} bytes until its last chunk or the end of the
     * connection, whichever comes first.
     */
    static Chunked chunked(InputStream in) throws IOException {
        long total = 0;
        try {
            for (String sizeLine = line(in); sizeLine != null; sizeLine = line(in)) {
                int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    return new Chunked(total, true);
                }
                long got = pattern(in, total, size);
                total += got;
                if (got < size || line(in) == null) {
                    break;
                }
            }
        } catch (SocketException reset) {
            // Reset rather than closed: the end all the same.
        }
        return new Chunked(total, false);
    }

    /** One CRLF-terminated line, or {@code null} when the connection ended first. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1).strip();
            }
            line.write(c);
        }
        return null;
    }

    /**
     * Whether {@code response} holds a whole response: a head, then as many body bytes as its
     * Content-Length says, or a chunked body through its last chunk. A body framed by the end of
     * the connection does not count: the responses in these tests all carry a length or chunks.
     */
    static boolean isCompleteResponse(String response) {
        int headEnd = response.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return false;
        }
        String head = response.substring(0, headEnd).toLowerCase(Locale.ROOT);
        String body = response.substring(headEnd + 4);
        Matcher length = CONTENT_LENGTH.matcher(head);
        if (length.find()) {
            return body.length() >= Long.parseLong(length.group(1));
        }
        return head.contains("\r\ntransfer-encoding: chunked") && body.endsWith("0\r\n\r\n");
    }
}
