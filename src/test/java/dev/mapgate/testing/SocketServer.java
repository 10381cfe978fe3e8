package dev.mapgate.testing;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback listener for the test origins that speak raw bytes: every accepted connection is
 * served on a daemon thread of its own, and closing stops listening, drops every connection and
 * waits for the threads.
 */
final class SocketServer implements AutoCloseable {

    /** Called on the accepting thread, in the order connections arrive; returns what serves the socket. */
    @FunctionalInterface
    interface Acceptor {
        Runnable accepted(Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final String name;
    private final Acceptor acceptor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads;

    private SocketServer(ServerSocket server, String name, Acceptor acceptor) {
        this.server = server;
        this.name = name;
        this.acceptor = acceptor;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::accept);
    }

    /** @param port 0 for any free port, or a port to take over again (SO_REUSEADDR is set) */
    static SocketServer start(int port, String name, Acceptor acceptor) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            return new SocketServer(server, name, acceptor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    boolean isClosed() {
        return server.isClosed();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Runnable serve = acceptor.accepted(socket);
                threads.execute(() -> {
                    try {
                        serve.run();
                    } finally {
                        sockets.remove(socket);
                    }
                });
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Stops listening and drops every connection at once, as a crashed process would; safe from a serving thread. */
    void kill() {
        closeQuietly(server);
        sockets.forEach(SocketServer::closeQuietly);
    }

    @Override
    public void close() {
        kill();
        threads.shutdownNow();
        // The JDK finishes closing a listening socket only once the thread blocked in accept()
        // has returned; until then a new connection can still succeed.
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the threads of " + name + " did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // Gone already.
        }
    }
}
