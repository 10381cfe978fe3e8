package dev.mapgate.config;

import java.time.Duration;

/**
 * The client-facing listener ({@code mapgate.listen}).
 *
 * @param ioThreads event-loop threads; 0 means one per core
 */
public record ListenSettings(String host, int port, int ioThreads, Duration idleTimeout,
                             int maxInitialLineLength, int maxHeaderSize, Duration shutdownTimeout) {
}
