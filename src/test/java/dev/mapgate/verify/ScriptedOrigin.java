package dev.mapgate.verify;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server whose every path is scripted by the test: the special cases verify must
 * recognise (encodings, redirects, caching headers, a gate of its own) without a real CDN. It
 * records each request so a test can check what a Sentry-like client sent.
 */
final class ScriptedOrigin implements AutoCloseable {

    /** Answers one request. */
    @FunctionalInterface
    interface Route {
        void answer(HttpExchange exchange) throws IOException;
    }

    /** What the origin saw of one request. */
    record Seen(String path, Headers headers) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    static final String TOKEN_HEADER = "X-Sentry-Token";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

    ScriptedOrigin() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                String path = exchange.getRequestURI().getRawPath();
                seen.add(new Seen(path, exchange.getRequestHeaders()));
                Route route = routes.get(path);
                if (route == null) {
                    send(exchange, 404, "text/plain", "not here\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    route.answer(exchange);
                }
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    int port() {
        return server.getAddress().getPort();
    }

    ScriptedOrigin route(String path, Route route) {
        routes.put(path, route);
        return this;
    }

    /** Serves {@code body} to everyone. */
    ScriptedOrigin file(String path, String type, byte[] body, String... headers) {
        return route(path, exchange -> {
            addHeaders(exchange, headers);
            send(exchange, 200, type, body);
        });
    }

    ScriptedOrigin file(String path, String type, String body, String... headers) {
        return file(path, type, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Serves {@code body} only with {@code X-Sentry-Token: token}, else 404: a gate in miniature. */
    ScriptedOrigin gated(String path, String token, String type, String body, String... headers) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return route(path, exchange -> {
            if (!token.equals(exchange.getRequestHeaders().getFirst(TOKEN_HEADER))) {
                send(exchange, 404, "text/plain", "not here\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            addHeaders(exchange, headers);
            send(exchange, 200, type, bytes);
        });
    }

    ScriptedOrigin redirect(String path, int status, String location) {
        return route(path, exchange -> {
            exchange.getResponseHeaders().add("Location", location);
            exchange.sendResponseHeaders(status, -1);
        });
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    List<Seen> seen(String path) {
        return seen.stream().filter(s -> s.path().equals(path)).toList();
    }

    static void addHeaders(HttpExchange exchange, String... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            exchange.getResponseHeaders().add(namesAndValues[i], namesAndValues[i + 1]);
        }
    }

    static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
