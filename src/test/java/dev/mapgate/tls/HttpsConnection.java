package dev.mapgate.tls;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * One keep-alive HTTP/1.1 connection over the JDK's TLS, checking the server's certificate and
 * its name (127.0.0.1) as a browser would. Reads only responses with a Content-Length, which is
 * all the static origin sends.
 */
final class HttpsConnection implements Closeable {

    private final SSLSocket socket;
    private final InputStream in;

    private HttpsConnection(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /**
     * Connects and completes the handshake.
     *
     * @param tweak narrows what the client offers (protocols, suites, ALPN)
     * @throws javax.net.ssl.SSLHandshakeException when the server refuses the client
     */
    static HttpsConnection open(InetSocketAddress server, SSLContext client, Consumer<SSLParameters> tweak)
            throws IOException {
        SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket();
        try {
            socket.connect(server, 5000);
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tweak.accept(parameters);
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new HttpsConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static HttpsConnection open(InetSocketAddress server, SSLContext client) throws IOException {
        return open(server, client, parameters -> { });
    }

    /**
     * Connects, sends {@code preamble} in the clear (a PROXY protocol header, as a load balancer
     * does before the client's own bytes), then completes the handshake over the same connection.
     */
    static HttpsConnection openAfter(InetSocketAddress server, SSLContext client, byte[] preamble) throws IOException {
        java.net.Socket plain = new java.net.Socket();
        try {
            plain.connect(server, 5000);
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(preamble);
            plain.getOutputStream().flush();
            SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(plain, "localhost", server.getPort(), true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new HttpsConnection(socket);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    SSLSession session() {
        return socket.getSession();
    }

    X509Certificate peerCertificate() throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    String applicationProtocol() {
        return socket.getApplicationProtocol();
    }

    /** Sends a GET with the given header lines ("Name: value") on this connection and reads its response. */
    Reply get(String path, String... headers) throws IOException {
        String head = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + String.join("", Stream.of(headers)
                .map(h -> h + "\r\n").toList()) + "\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String response = readHead();
        int status = Integer.parseInt(response.substring(9, 12));
        int length = response.lines()
                .filter(l -> l.regionMatches(true, 0, "Content-Length:", 0, 15))
                .map(l -> Integer.parseInt(l.substring(15).strip()))
                .findFirst().orElse(0);
        return new Reply(status, in.readNBytes(length));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** The status line and headers, up to the empty line. */
    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the response head: " + head);
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    record Reply(int status, byte[] body) {
    }
}
