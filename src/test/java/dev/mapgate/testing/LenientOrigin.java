package dev.mapgate.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The worst-case origin: it serves a directory the way the most forgiving servers would, so a
 * target that any of them could resolve to a source map gets the map here (see {@link
 * LenientPaths}). It also honours {@code X-Original-URL} and {@code X-Rewrite-URL} as the path, as
 * IIS URL Rewrite does, so a header that slips through mapgate shows up as a served map.
 *
 * <p>It is a plain socket server rather than the JDK's {@code HttpServer}, which answers 400 to a
 * backslash or a malformed escape and would hide what a lenient server would have done with it.
 * For the same reason it parses leniently (bare LF, folded headers). It records every request
 * line and header set, and every byte it received, so a test can tell whether a smuggled request
 * reached it at all. When it cannot frame a request it does not hang up but reads on until the
 * peer does, so that whatever else the peer sends is recorded too.
 */
public final class LenientOrigin implements HttpOrigin {

    private static final int MAX_LINE = 64 * 1024;

    /** One request as this origin parsed it, and the file it resolved to ({@code null}: 404). */
    public record Seen(String requestLine, List<String[]> headers, Path resolved) {

        public String header(String name) {
            return LenientOrigin.header(headers, name);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(requestLine);
            headers.forEach(h -> sb.append(" | ").append(h[0]).append(": ").append(h[1]));
            return sb.append(" => ").append(resolved == null ? "404" : resolved.getFileName()).toString();
        }
    }

    /** What one connection carried since the last {@link #clear()}, and whether the peer hung up on it. */
    public record Connection(byte[] received, boolean hungUp) {
    }

    /** One accepted connection's own record, beside the one of all traffic. */
    private static final class Link {
        final Socket socket;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        volatile boolean hungUp;

        Link(Socket socket) {
            this.socket = socket;
        }

        Connection snapshot() {
            // hungUp first: once it is set, every byte the peer sent has been recorded.
            boolean ended = hungUp;
            return new Connection(received.toByteArray(), ended);
        }
    }

    private final Path site;
    private final SocketServer server;
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    /** Every connection still open, and those closed since the last {@link #clear()}. */
    private final Set<Link> links = ConcurrentHashMap.newKeySet();

    private LenientOrigin(Path site) {
        this.site = site;
        this.server = SocketServer.start(0, "lenient-origin", socket -> {
            Link link = new Link(socket);
            links.add(link);
            return () -> serve(link);
        });
    }

    public static LenientOrigin start(Path site) {
        return new LenientOrigin(site);
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public String name() {
        return "lenient";
    }

    /** The requests parsed since the last {@link #clear()}, in order. */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Every byte received on any connection since the last {@link #clear()}. */
    public byte[] received() {
        return received.toByteArray();
    }

    /**
     * The connections that carried bytes since the last {@link #clear()}, as soon as the peer has
     * hung up on every one of them, or when {@code wait} is over, whichever comes first. Bytes
     * sent just before a test looks may not have been read yet; this waits for them.
     */
    public List<Connection> connectionsOnceHungUp(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<Connection> used = links.stream().map(Link::snapshot).filter(c -> c.received().length > 0).toList();
            if ((!used.isEmpty() && used.stream().allMatch(Connection::hungUp)) || System.nanoTime() > deadline) {
                return used;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return used;
            }
        }
    }

    public void clear() {
        seen.clear();
        received.reset();
        links.removeIf(link -> link.socket.isClosed());
        links.forEach(link -> link.received.reset());
    }

    private void serve(Link link) {
        try (Socket socket = link.socket) {
            InputStream in = new BufferedInputStream(new RecordingInputStream(
                    new RecordingInputStream(socket.getInputStream(), received), link.received));
            boolean closing = false;
            try {
                closing = answerUntilClose(in, socket.getOutputStream());
            } catch (IOException unparseable) {
                // Read on below: what follows is still traffic that reached the origin.
            }
            if (!closing) {
                readUntilHangUp(in, link);
            }
        } catch (IOException dropped) {
            // The socket could not even be set up; nothing was received.
        }
    }

    /**
     * Answers requests until one asks to close the connection.
     *
     * @return {@code true} when this side closes; {@code false} when the peer hung up or sent a
     *         body that cannot be framed
     */
    private boolean answerUntilClose(InputStream in, OutputStream out) throws IOException {
        String line;
        while ((line = readLine(in)) != null) {
            if (line.isEmpty()) {
                continue;
            }
            List<String[]> headers = readHeaders(in);
            String[] parts = line.trim().split("[ \t]+");
            String target = parts.length > 1 ? parts[1] : "/";
            String rewritten = firstNonNull(header(headers, "X-Original-URL"), header(headers, "X-Rewrite-URL"));
            Path file = LenientPaths.resolve(site, rewritten != null ? rewritten : target);
            seen.add(new Seen(line, List.copyOf(headers), file));
            if (!skipBody(in, headers)) {
                return false;
            }
            boolean close = parts.length < 3 || !parts[2].equalsIgnoreCase("HTTP/1.1")
                    || "close".equalsIgnoreCase(header(headers, "Connection"));
            respond(out, file, parts[0].equalsIgnoreCase("HEAD"), close);
            if (close) {
                return true;
            }
        }
        return false;
    }

    /** Reads, and so records, whatever the peer still sends, until it closes or resets the connection. */
    private static void readUntilHangUp(InputStream in, Link link) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException reset) {
            // A reset ends the connection as surely as a close.
        }
        link.hungUp = true;
    }

    private static void respond(OutputStream out, Path file, boolean head, boolean close) throws IOException {
        byte[] body = file == null ? "lenient origin: not found\n".getBytes(StandardCharsets.US_ASCII)
                : Files.readAllBytes(file);
        String statusAndHeaders = (file == null ? "HTTP/1.1 404 Not Found" : "HTTP/1.1 200 OK") + "\r\n"
                + "Content-Type: " + contentType(file) + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + (close ? "Connection: close\r\n" : "")
                + "\r\n";
        out.write(statusAndHeaders.getBytes(StandardCharsets.US_ASCII));
        if (!head) {
            out.write(body);
        }
        out.flush();
    }

    private static String contentType(Path file) {
        String name = file == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".map") ? "application/json" : name.endsWith(".js") ? "text/javascript"
                : name.endsWith(".html") ? "text/html" : "text/plain";
    }

    /** Headers up to the empty line; a line starting with space or tab continues the previous one. */
    private static List<String[]> readHeaders(InputStream in) throws IOException {
        List<String[]> headers = new ArrayList<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !headers.isEmpty()) {
                String[] last = headers.get(headers.size() - 1);
                last[1] = last[1] + " " + line.trim();
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
            }
        }
        return headers;
    }

    /**
     * Reads past the request body: chunked when any Transfer-Encoding mentions "chunked" (as the
     * laxest servers check), else Content-Length, else none.
     *
     * @return false when the body cannot be framed and the connection has to be dropped
     */
    private static boolean skipBody(InputStream in, List<String[]> headers) throws IOException {
        String te = header(headers, "Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            for (String size = readLine(in); size != null; size = readLine(in)) {
                long n = leadingNumber(size, 16);
                if (n < 0) {
                    return false;
                }
                if (n == 0) {
                    for (String trailer = readLine(in); trailer != null && !trailer.isEmpty(); trailer = readLine(in)) {
                        // trailers are ignored
                    }
                    return true;
                }
                in.skipNBytes(n);
                readLine(in);
            }
            return false;
        }
        String length = header(headers, "Content-Length");
        if (length != null) {
            long n = leadingNumber(length.trim(), 10);
            if (n < 0) {
                return false;
            }
            in.skipNBytes(n);
        }
        return true;
    }

    /** The number the line starts with, as lax parsers read "3, 3" or "0x3": -1 when none. */
    private static long leadingNumber(String line, int radix) {
        long value = 0;
        int digits = 0;
        for (; digits < line.length() && digits < 15 && Character.digit(line.charAt(digits), radix) >= 0; digits++) {
            value = value * radix + Character.digit(line.charAt(digits), radix);
        }
        return digits == 0 ? -1 : value;
    }

    private static String header(List<String[]> headers, String name) {
        return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }

    /** A line ending in LF, with an optional CR before it dropped; {@code null} at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            if (sb.length() == MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE);
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "lenient origin on " + url();
    }
}
