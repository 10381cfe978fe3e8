package dev.mapgate.tls;

import dev.mapgate.config.ListenTlsSettings;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/**
 * The listener's TLS: an {@code SslContext} built from the PEM files of {@code listen.tls}, and
 * rebuilt when they change, so that a rotated certificate (cert-manager, certbot) is served
 * without a restart. Connections already open keep the context they started with.
 */
public final class ServerTls implements AutoCloseable {

    private ServerTls() {
    }

    /**
     * Builds the context and checks that the key belongs to the certificate.
     *
     * @throws TlsFileProblem naming the key under {@code listen.tls} and what is wrong with it
     */
    public static ServerTls load(ListenTlsSettings settings) {
        throw new UnsupportedOperationException("TODO");
    }

    /** A handler for a new connection, with the context current now. */
    public SslHandler newHandler(ByteBufAllocator alloc, long handshakeTimeoutMillis) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Re-reads the files if they changed since the last load; swaps in the new context only when
     * the pair loads and matches. Never throws.
     *
     * @return whether a new context was swapped in
     */
    public boolean reloadIfChanged() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Starts checking the files every {@code reload-interval} on a daemon thread of its own. */
    public void startWatching() {
        throw new UnsupportedOperationException("TODO");
    }

    /** "BoringSSL" or "JDK", for the startup line. */
    public String implementation() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Stops watching the files. */
    @Override
    public void close() {
    }
}
