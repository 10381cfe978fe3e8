package dev.mapgate.config;

import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.tls.ListenTlsSettings;
import java.time.Duration;

/**
 * The client-facing listener ({@code mapgate.listen}): where it binds, what a request may look
 * like, and how long each wait on a client may last. reference.conf documents each key.
 *
 * @param ioThreads        event-loop threads; 0 means one per core
 * @param hosts            hosts an absolute-form request-target may name
 * @param headerTimeout    first byte of a request to the end of its header section
 * @param keepAliveTimeout wait for the first byte of the next request (and of the first)
 * @param bodyTimeout      longest gap between reads while a request body is being asked for
 * @param idleTimeout      nothing read or written during an exchange
 * @param maxConnections   client connections open at once
 * @param proxyProtocol    whether trusted peers start each connection with a PROXY header
 * @param tls              HTTPS settings, or {@code null} for plain HTTP
 * @param transport        how sockets are driven: Linux's epoll where it loads, or Java's NIO
 */
public record ListenSettings(String host, int port, int ioThreads, AcceptedHosts hosts,
                             int maxInitialLineLength, int maxHeaderSize, int maxHeaderCount,
                             Duration headerTimeout, Duration keepAliveTimeout, Duration bodyTimeout,
                             Duration idleTimeout, int maxConnections,
                             boolean proxyProtocol, ListenTlsSettings tls, Transport transport) {

    /** {@code listen.transport}. */
    public enum Transport {
        /** epoll where Netty's native library loads (Linux on x86_64 or aarch64), else NIO. */
        AUTO,
        /** epoll, or startup fails. */
        EPOLL,
        /** Java's NIO selector everywhere. */
        NIO
    }
}
