package dev.mapgate.testing;

import dev.mapgate.testing.ResponseReader.Response;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A deliberately plain HTTP/1.1 client on one socket: it writes exactly the bytes a test gives it
 * and reads the answers with a {@link ResponseReader}, so tests see framing, keep-alive and
 * pipelining as they are on the wire. It can bind its own loopback source address (127.0.0.2,
 * ...) to test IP rules.
 */
public final class RawClient implements Closeable {

    private final Socket socket;
    private final InputStream in;
    /** Every byte read from the socket, or {@code null} when this client does not record. */
    private final ByteArrayOutputStream transcript;
    private final ResponseReader reader;

    private RawClient(Socket socket) throws IOException {
        this(socket, null);
    }

    private RawClient(Socket socket, ByteArrayOutputStream transcript) throws IOException {
        this.socket = socket;
        this.transcript = transcript;
        InputStream raw = socket.getInputStream();
        this.in = new BufferedInputStream(transcript == null ? raw : new RecordingInputStream(raw, transcript), 65536);
        this.reader = new ResponseReader(in);
    }

    public static RawClient connect(InetSocketAddress server) throws IOException {
        return connect(server, null);
    }

    /** @param source local address to connect from, e.g. 127.0.0.2; {@code null} for any */
    public static RawClient connect(InetSocketAddress server, String source) throws IOException {
        Socket socket = new Socket();
        if (source != null) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        }
        socket.connect(server, 5000);
        socket.setSoTimeout(20_000);
        return new RawClient(socket);
    }

    /**
     * A client on a socket the test set up itself: e.g. a TLS socket, or one that sent a PROXY
     * header first.
     */
    public static RawClient over(Socket socket) throws IOException {
        socket.setSoTimeout(20_000);
        return new RawClient(socket);
    }

    /**
     * A client that keeps a copy of every byte it receives, read-ahead included, so a test can
     * search all of it ({@link #received()}), and that gives up on a read after
     * {@code readTimeoutMillis}.
     */
    public static RawClient recording(InetSocketAddress server, int readTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        socket.connect(server, 5000);
        socket.setSoTimeout(readTimeoutMillis);
        return new RawClient(socket, new ByteArrayOutputStream());
    }

    /** Gives up on any later read after {@code millis}, instead of the default 20 s. */
    public RawClient readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
        return this;
    }

    public RawClient send(String request) throws IOException {
        return send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** A GET with the given extra header lines (each "Name: value"). */
    public Response get(String path, String... headers) throws IOException {
        return send(request("GET", path, headers)).read(false);
    }

    public static String request(String method, String path, String... headers) {
        StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: test\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    public Response read(boolean head) throws IOException {
        return reader.read(head);
    }

    /** The parser on this connection, for bodies a test reads itself (huge ones, patterns). */
    public ResponseReader reader() {
        return reader;
    }

    /** The input stream after the headers were read, for tests that read huge bodies themselves. */
    public InputStream input() {
        return in;
    }

    /** True when the server has closed the connection (reads EOF within the timeout). */
    public boolean isClosedByServer() throws IOException {
        socket.setSoTimeout(5000);
        try {
            return in.read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    /**
     * Reads until the server closes the connection and returns the bytes that arrived after what
     * was already parsed. A reset counts as closed, as in {@link #isClosedByServer()}.
     *
     * @throws java.net.SocketTimeoutException when the connection is still open after the read timeout
     */
    public byte[] readUntilClosed() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) != -1; ) {
                rest.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // Reset by the server: closed, just not gracefully.
        }
        return rest.toByteArray();
    }

    /** Everything received so far; only for a client made by {@link #recording}. */
    public byte[] received() {
        if (transcript == null) {
            throw new IllegalStateException("this client does not record; connect with RawClient.recording");
        }
        return transcript.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
