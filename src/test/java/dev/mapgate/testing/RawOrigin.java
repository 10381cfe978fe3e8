package dev.mapgate.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An origin on a plain socket that answers each path exactly as the test scripts it, right or
 * wrong: half a body and then a hang-up, a broken status line, more bytes than Content-Length
 * promised, or nothing at all. It numbers the connections it accepts and notices when the peer
 * closes one, so a test can tell a reused connection from a new one, and a discarded one from one
 * kept in a pool. Request bodies are not read: mapgate's tests here send GETs.
 */
public final class RawOrigin implements HttpOrigin {

    /** What one path does with a request on {@code link}. */
    @FunctionalInterface
    public interface Script {
        After answer(Link link) throws IOException;
    }

    /** What becomes of the connection once a script has answered. */
    public enum After {
        /** Read the next request from it. */
        KEEP_ALIVE,
        /** Close it from this side. */
        CLOSE,
        /** Send nothing more and wait for the peer to hang up. */
        HOLD
    }

    /** One accepted connection; {@link #links()} lists them in the order accepted. */
    public static final class Link {
        private final Socket socket;
        private final OutputStream out;
        private volatile int requests;
        private volatile long hungUpNanos;
        private volatile boolean hungUp;

        private Link(Socket socket, AtomicLong written) throws IOException {
            this.socket = socket;
            OutputStream raw = socket.getOutputStream();
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                    written.addAndGet(len);
                }
            };
        }

        /** Requests read on this connection so far. */
        public int requests() {
            return requests;
        }

        /** Whether the peer (mapgate) closed or reset this connection. */
        public boolean hungUp() {
            return hungUp;
        }

        /** When the peer hung up, on {@link System#nanoTime()}'s clock; only once {@link #hungUp()}. */
        public long hungUpNanos() {
            return hungUpNanos;
        }

        /** Counted in {@link RawOrigin#bytesWritten()} once the kernel has taken them. */
        public OutputStream out() {
            return out;
        }

        /** Writes {@code text} as ISO-8859-1, so {@code \u0000}-{@code \u00ff} go out as single bytes. */
        public void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Writes {@code length} bytes of {@link Pattern} from offset 0, as fast as the peer takes them. */
        public void sendPattern(long length) throws IOException {
            sendPattern(length, false);
        }

        /**
         * Writes {@code length} bytes of {@link Pattern} as chunks of chunked encoding, without the
         * last chunk: the caller ends the body, or breaks it off.
         */
        public void sendPatternChunks(long length) throws IOException {
            sendPattern(length, true);
        }

        private void sendPattern(long length, boolean chunks) throws IOException {
            byte[] block = new byte[16 * 1024];
            for (long offset = 0; offset < length; ) {
                int n = (int) Math.min(block.length, length - offset);
                Pattern.fill(block, offset, n);
                if (chunks) {
                    send(Integer.toHexString(n) + "\r\n");
                }
                out.write(block, 0, n);
                if (chunks) {
                    send("\r\n");
                }
                offset += n;
            }
        }

        private void hangUp() {
            if (!hungUp) {
                hungUpNanos = System.nanoTime();
                hungUp = true;
            }
        }
    }

    private final Map<String, Script> routes = new ConcurrentHashMap<>();
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicLong written = new AtomicLong();
    /** As a keep-alive timeout: a connection that sends nothing this long is closed; 0 for never. */
    private volatile int idleCloseMillis;
    private final SocketServer server;

    private RawOrigin(int port, Integer sendBufferBytes) {
        server = SocketServer.start(port, "raw-origin", socket -> {
            if (sendBufferBytes != null) {
                socket.setSendBufferSize(sendBufferBytes);
            }
            socket.setSoTimeout(idleCloseMillis);
            Link link = new Link(socket, written);
            links.add(link);
            return () -> serve(link);
        });
    }

    /** On a free loopback port. */
    public static RawOrigin start() {
        return start(0, null);
    }

    /**
     * @param port            0 for any free port, or the port of an origin that has just died, to bring it back
     * @param sendBufferBytes SO_SNDBUF of each accepted connection, or {@code null} for the kernel's
     *                        own, which on loopback grows to several MiB
     */
    public static RawOrigin start(int port, Integer sendBufferBytes) {
        return new RawOrigin(port, sendBufferBytes);
    }

    /** Answers requests for {@code path} (the request-target, query included) with {@code script}. */
    public RawOrigin route(String path, Script script) {
        routes.put(path, script);
        return this;
    }

    /** Answers {@code path} with 200 and {@code body}, keeping the connection. */
    public RawOrigin ok(String path, String body) {
        return route(path, link -> {
            link.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            return After.KEEP_ALIVE;
        });
    }

    /**
     * Closes, from this side, every connection accepted from now on that stays silent for
     * {@code millis}, as Node's or Apache's keep-alive timeout does.
     */
    public RawOrigin closeIdleAfter(int millis) {
        idleCloseMillis = millis;
        return this;
    }

    public int port() {
        return server.port();
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public String name() {
        return "raw";
    }

    /** Every connection accepted so far, in order. */
    public List<Link> links() {
        return List.copyOf(links);
    }

    /** Body and head bytes the kernel has taken on all connections: what mapgate could have read. */
    public long bytesWritten() {
        return written.get();
    }

    private void serve(Link link) {
        try (Socket socket = link.socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            After after = After.KEEP_ALIVE;
            String target;
            while (after == After.KEEP_ALIVE && (target = readHead(in)) != null) {
                link.requests++;
                Script script = routes.get(target);
                if (script == null) {
                    link.send("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                } else {
                    after = script.answer(link);
                }
            }
            if (after == After.CLOSE) {
                return;
            }
            if (after == After.HOLD) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            link.hangUp();
        } catch (SocketTimeoutException e) {
            // closeIdleAfter: this side closes, which the try-with-resources does
        } catch (IOException e) {
            // A write or read that failed: the peer closed or reset the connection, or this
            // origin was closed under it. Either way the connection is over.
            if (!server.isClosed()) {
                link.hangUp();
            }
        }
    }

    /** Reads one request head; returns its target, or {@code null} when the peer hung up first. */
    private static String readHead(InputStream in) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            // headers are not used by the scripts
        }
        String[] parts = requestLine.split(" ");
        return parts.length > 1 ? parts[1] : "";
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                return sb.toString().strip();
            }
            sb.append((char) c);
        }
        return null;
    }

    /**
     * Dies as a crashed process would: stops listening and drops every connection at once, even
     * from inside a script. {@link #close()} does the same and also waits for the threads.
     */
    public void kill() {
        server.kill();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "raw origin on " + url();
    }
}
