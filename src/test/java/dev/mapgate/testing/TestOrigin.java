package dev.mapgate.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP/1.1 origin on loopback (the JDK's own server), with the resources the proxy tests
 * need. It records every request it receives, so tests can check what reached the origin.
 * {@link #https(SSLContext)} serves the same resources over TLS.
 */
public final class TestOrigin implements AutoCloseable {

    public static final String APP_JS = "function n(t){return t*2}//# sourceMappingURL=app.js.map\n";
    public static final String APP_MAP = "{\"version\":3,\"sources\":[\"FeePaymentForm.tsx\"],"
            + "\"sourcesContent\":[\"export const fee = (x: number) => x * 2;\"],\"names\":[\"fee\"],\"mappings\":\"AAAA\"}";

    /** What the origin saw of one request. */
    public record Seen(String method, String uri, Map<String, List<String>> headers, long bodyBytes, int peerPort) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final String scheme;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

    public TestOrigin() throws IOException {
        this(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64), "http");
    }

    /** An HTTPS origin on 127.0.0.1 presenting the key and certificate of {@code tls}. */
    public static TestOrigin https(SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new TestOrigin(server, "https");
    }

    private TestOrigin(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        executor = Executors.newFixedThreadPool(16);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return scheme + "://127.0.0.1:" + port();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public Seen lastSeen() {
        List<Seen> all = seen();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    public void clear() {
        seen.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            long bodyBytes = drain(ex.getRequestBody(), null);
            String path = ex.getRequestURI().getRawPath();
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders()), bodyBytes,
                    ex.getRemoteAddress().getPort()));
            switch (path) {
                case "/assets/app.js" -> {
                    ex.getResponseHeaders().add("Cache-Control", "public, max-age=31536000, immutable");
                    send(ex, 200, "text/javascript", APP_JS.getBytes(StandardCharsets.UTF_8));
                }
                case "/assets/app.js.map" -> {
                    // Everything a shared cache would act on; mapgate must strip it on a gated path.
                    ex.getResponseHeaders().add("Cache-Control", "public, s-maxage=600, max-age=600");
                    ex.getResponseHeaders().add("Expires", "Thu, 01 Dec 2044 16:00:00 GMT");
                    ex.getResponseHeaders().add("Surrogate-Control", "max-age=3600");
                    ex.getResponseHeaders().add("CDN-Cache-Control", "max-age=3600");
                    ex.getResponseHeaders().add("Vary", "Accept-Encoding");
                    send(ex, 200, "application/json", APP_MAP.getBytes(StandardCharsets.UTF_8));
                }
                case "/chunked" -> {
                    ex.getResponseHeaders().add("Content-Type", "text/plain");
                    ex.sendResponseHeaders(200, 0);
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 100; i++) {
                            out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    }
                }
                case "/gzip" -> {
                    ex.getResponseHeaders().add("Content-Encoding", "gzip");
                    send(ex, 200, "text/javascript", gzip(APP_JS));
                }
                case "/big" -> streamPattern(ex, Long.parseLong(query(ex, "size")));
                case "/slow" -> {
                    sleep(Long.parseLong(query(ex, "ms")));
                    send(ex, 200, "text/plain", "late\n".getBytes(StandardCharsets.US_ASCII));
                }
                case "/cut" -> {
                    // Promise 100,000 bytes, send 1,000, then drop the connection.
                    ex.sendResponseHeaders(200, 100_000);
                    ex.getResponseBody().write(new byte[1000]);
                    ex.getResponseBody().flush();
                    throw new IOException("origin dies mid-body on purpose");
                }
                case "/upload" -> send(ex, 200, "text/plain", (bodyBytes + "\n").getBytes(StandardCharsets.US_ASCII));
                default -> send(ex, 404, "text/plain", "origin: not found\n".getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    private static String query(HttpExchange ex, String name) {
        for (String pair : ex.getRequestURI().getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        throw new IllegalArgumentException("missing query parameter " + name);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        boolean head = "HEAD".equals(ex.getRequestMethod());
        if (head) {
            // What a GET would carry; the JDK server leaves it out for HEAD unless told.
            ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
        }
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            ex.getResponseBody().write(body);
        }
    }

    /** Writes {@code size} bytes of {@link Pattern} with a fixed Content-Length. */
    private static void streamPattern(HttpExchange ex, long size) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, size);
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = ex.getResponseBody()) {
            for (long offset = 0; offset < size; ) {
                int n = (int) Math.min(block.length, size - offset);
                Pattern.fill(block, offset, n);
                out.write(block, 0, n);
                offset += n;
            }
        }
    }

    static long drain(InputStream in, MessageDigest digest) throws IOException {
        byte[] buf = new byte[65536];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
            if (digest != null) {
                digest.update(buf, 0, n);
            }
        }
        return total;
    }

    public static byte[] gzip(String text) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
                gz.write(text.getBytes(StandardCharsets.UTF_8));
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
