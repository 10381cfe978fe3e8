package dev.mapgate.config;

import dev.mapgate.tls.ListenTlsSettings;

/**
 * The client-facing listener's socket and threads ({@code mapgate.listen}): what is bound at
 * startup and cannot change without a restart. What each connection and request is held to is
 * in {@link ListenRules}. reference.conf documents each key.
 *
 * @param ioThreads      event-loop threads; 0 means one per core less one (see IoThreads)
 * @param maxConnections client connections open at once
 * @param tls            HTTPS settings, or {@code null} for plain HTTP
 * @param transport      how sockets are driven: Linux's epoll where it loads, or Java's NIO
 */
public record ListenSettings(String host, int port, int ioThreads, int maxConnections, ListenTlsSettings tls,
                             Transport transport) {

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
