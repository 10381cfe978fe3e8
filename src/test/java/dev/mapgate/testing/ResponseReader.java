package dev.mapgate.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * The one parser of HTTP/1.1 responses in the tests (RFC 9112 section 6): status line, headers,
 * and a body framed by Content-Length, by chunks or by the end of the connection, or none for a
 * HEAD, a 1xx, a 204 or a 304. It reads byte by byte from the stream it is given and never ahead,
 * so a test can read the rest itself, and several responses come off one connection in turn.
 *
 * <p>Two modes. The plain one tolerates a bare LF and any {@code HTTP/} version, and throws on
 * what it cannot frame: for tests that talk to mapgate and assert on the answer. The strict one,
 * for the fuzz, which judges mapgate's framing itself, wants CRLF, {@code HTTP/1.1}, a three-digit
 * status and at most one framing header of each kind, and reports any other shape as a
 * {@link FramingException}; a body the connection ended in the middle of is no such fault, since a
 * client sees it as cut short.
 */
public final class ResponseReader {

    private static final java.util.regex.Pattern CONTENT_LENGTH =
            java.util.regex.Pattern.compile("\r\ncontent-length: *(\\d+)");

    private final InputStream in;
    private final boolean strict;

    public ResponseReader(InputStream in) {
        this(in, false);
    }

    private ResponseReader(InputStream in, boolean strict) {
        this.in = in;
        this.strict = strict;
    }

    /** A reader for the fuzz's judgement of framing; see the class comment. */
    public static ResponseReader strict(InputStream in) {
        return new ResponseReader(in, true);
    }

    /** The response's shape was wrong, as opposed to the connection ending. */
    public static final class FramingException extends IOException {
        FramingException(String message) {
            super(message);
        }
    }

    /** @param head whether the response answers a HEAD, which gives it no body whatever its headers say */
    public Response read(boolean head) throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        boolean shaped = strict
                ? parts.length >= 2 && parts[0].equals("HTTP/1.1") && parts[1].matches("[1-5][0-9][0-9]")
                : parts.length >= 2 && parts[0].startsWith("HTTP/");
        if (!shaped) {
            throw new FramingException("not a status line: " + statusLine);
        }
        List<String[]> headers = new ArrayList<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                // Plain, this is no IOException: a test that takes one for a closed connection
                // must not take a malformed head for one.
                if (strict) {
                    throw new FramingException("not a header line: " + line);
                }
                throw new IllegalStateException("not a header line: " + line);
            }
            headers.add(new String[] {line.substring(0, colon).trim(), trimOws(line.substring(colon + 1))});
        }
        Response response = new Response(parts[0], Integer.parseInt(parts[1]), headers, null);
        if (strict && (response.headers("Content-Length").size() > 1
                || response.headers("Transfer-Encoding").size() > 1)) {
            throw new FramingException("more than one framing header in the response " + response.status());
        }
        return new Response(parts[0], response.status(), headers, body(response, head));
    }

    private byte[] body(Response response, boolean head) throws IOException {
        int status = response.status();
        String length = response.header("Content-Length");
        if (head || status == 204 || status == 304 || status / 100 == 1) {
            return new byte[0];
        } else if ("chunked".equalsIgnoreCase(response.header("Transfer-Encoding"))) {
            return chunked();
        } else if (length != null && (!strict || length.matches("[0-9]{1,9}"))) {
            return in.readNBytes(Integer.parseInt(length));
        }
        return in.readAllBytes();
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = strict ? lineOrNull() : line();
            int semi = sizeLine == null ? -1 : sizeLine.indexOf(';');
            String size = sizeLine == null ? "" : (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim();
            if (strict && !size.matches("[0-9A-Fa-f]{1,8}")) {
                // Cut short or no chunk at all: the rest is what the client got of this response.
                if (sizeLine != null) {
                    out.writeBytes((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.writeBytes(in.readAllBytes());
                return out.toByteArray();
            }
            int length = Integer.parseInt(size, 16);
            if (length == 0) {
                skipTrailers();
                return out.toByteArray();
            }
            byte[] chunk = in.readNBytes(length);
            out.write(chunk);
            if (chunk.length < length) {
                if (strict) {
                    return out.toByteArray();
                }
                throw new EOFException("chunk cut short");
            }
            String end = strict ? lineOrNull() : line();
            if (end == null) {
                return out.toByteArray();
            }
            if (strict && !end.isEmpty()) {
                throw new FramingException("a chunk's data runs on past its size");
            }
        }
    }

    /** Trailers are not used by these tests; strict, a connection that ends among them cut the body short. */
    private void skipTrailers() throws IOException {
        for (String trailer = strict ? lineOrNull() : line(); trailer != null && !trailer.isEmpty();
             trailer = strict ? lineOrNull() : line()) {
            // skipped
        }
    }

    /** The responses in {@code in}, one connection's worth, with what was wrong with their framing. */
    public record Split(List<Response> responses, int informational, List<String> problems) {
    }

    /**
     * Splits what a client received on one connection into responses, strictly. Whether response
     * {@code j} has a body depends on the method of request {@code j}, so the caller says which
     * final responses answer a HEAD. A response that says {@code Connection: close} is the last.
     */
    public static Split split(byte[] in, Set<Integer> headResponses) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(in);
        ResponseReader reader = strict(bytes);
        List<Response> responses = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int informational = 0;
        while (bytes.available() > 0) {
            Response response;
            try {
                response = reader.read(headResponses.contains(responses.size()));
            } catch (FramingException e) {
                problems.add("[framing] " + e.getMessage());
                break;
            } catch (IOException e) {
                problems.add("[framing] a response head was cut off after " + responses.size() + " responses");
                break;
            }
            if (response.status() / 100 == 1) {
                informational++;
                continue;
            }
            responses.add(response);
            List<String> connection = response.headers("Connection");
            if (!connection.isEmpty() && connection.get(connection.size() - 1).equalsIgnoreCase("close")) {
                // Nothing after it is a response. A request mapgate could not parse gets its 400 or
                // 414 with a body even if it was a HEAD: mapgate cannot know, and closes anyway.
                break;
            }
        }
        return new Split(responses, informational, problems);
    }

    /** What arrived of a chunked body before the connection ended, and whether its last chunk was among it. */
    public record Chunked(long bytes, boolean lastChunk) {
    }

    /**
     * Reads a body of {@link Pattern} bytes until the server closes or resets the connection;
     * returns the byte count.
     */
    public long patternUntilClosed() throws IOException {
        return pattern(0, Long.MAX_VALUE);
    }

    /**
     * Reads until the server closes or resets the connection, or {@code limit} bytes arrived,
     * checking each byte against {@link Pattern} from {@code offset} on; returns the byte count.
     */
    public long pattern(long offset, long limit) throws IOException {
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
    public Chunked patternChunked() throws IOException {
        long total = 0;
        try {
            for (String sizeLine = lineOrNull(); sizeLine != null; sizeLine = lineOrNull()) {
                int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    return new Chunked(total, true);
                }
                long got = pattern(total, size);
                total += got;
                if (got < size || lineOrNull() == null) {
                    break;
                }
            }
        } catch (SocketException reset) {
            // Reset rather than closed: the end all the same.
        }
        return new Chunked(total, false);
    }

    /**
     * Whether {@code response} holds a whole response: a head, then as many body bytes as its
     * Content-Length says, or a chunked body through its last chunk. A body framed by the end of
     * the connection does not count: where this is asked, responses carry a length or chunks.
     */
    public static boolean isComplete(String response) {
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

    /** One line without its end; throws when the connection ends first. */
    public String line() throws IOException {
        String line = lineOrNull();
        if (line == null) {
            throw new EOFException("connection closed in the middle of a line");
        }
        return line;
    }

    /**
     * One line without its end, or {@code null} when the connection ended first (what came of a
     * last, unended line is dropped). Strict, a line ends at CRLF only, and a lone CR or LF is
     * part of it; otherwise a bare LF ends it too.
     */
    public String lineOrNull() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            int last = line.length() - 1;
            boolean afterCr = last >= 0 && line.charAt(last) == '\r';
            if (c == '\n' && (afterCr || !strict)) {
                return afterCr ? line.substring(0, last) : line.toString();
            }
            line.append((char) c);
        }
        return null;
    }

    /** A field value without the optional whitespace around it: spaces and tabs, nothing else (RFC 9110 5.5). */
    public static String trimOws(String value) {
        int from = 0;
        int to = value.length();
        while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
            to--;
        }
        return value.substring(from, to);
    }

    /** A parsed response; header lookups ignore case and find the first of a name. */
    public record Response(String version, int status, List<String[]> headerList, byte[] body) {

        public String header(String name) {
            for (String[] h : headerList) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        public List<String> headers(String name) {
            return headerList.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public boolean hasHeader(String name) {
            return header(name) != null;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(version + " " + status + "\n");
            headerList.forEach(h -> sb.append(h[0]).append(": ").append(h[1]).append('\n'));
            return sb.append('[').append(body == null ? 0 : body.length).append(" body bytes]").toString();
        }
    }
}
