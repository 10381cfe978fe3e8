package dev.mapgate.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port that swallows connection attempts, as a firewall that drops packets does: it
 * listens with a backlog of one and never accepts, and once its accept queue is full Linux drops
 * every further SYN, so a connect neither succeeds nor is refused until its own timeout.
 */
final class BlackHole implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    private BlackHole(ServerSocket server) {
        this.server = server;
    }

    /** Fills the accept queue until a connect attempt hangs, which proves the hole swallows. */
    static BlackHole open() throws IOException {
        BlackHole hole = new BlackHole(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        for (int attempt = 0; attempt < 16; attempt++) {
            Socket socket = new Socket();
            try {
                socket.connect(hole.server.getLocalSocketAddress(), 300);
                hole.fillers.add(socket);
            } catch (SocketTimeoutException swallowed) {
                socket.close();
                return hole;
            }
        }
        hole.close();
        throw new IllegalStateException("16 connections to a backlog of 1 all succeeded: this kernel does not drop SYNs"
                + " on a full accept queue, so there is no black hole to test against");
    }

    String url() {
        InetSocketAddress address = (InetSocketAddress) server.getLocalSocketAddress();
        return "http://127.0.0.1:" + address.getPort();
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : fillers) {
            socket.close();
        }
        server.close();
    }
}
