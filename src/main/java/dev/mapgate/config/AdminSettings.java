package dev.mapgate.config;

import java.time.Duration;

/**
 * The admin listener ({@code mapgate.admin}), reserved for metrics and health endpoints.
 * reference.conf documents each key; all of them need a restart to change.
 *
 * @param headerTimeout  from accepting a connection, or from the first byte of a later request,
 *                       to the end of the request's head
 * @param idleTimeout    wait for the first byte of the next request on a kept-alive connection
 * @param maxConnections admin connections open at once
 */
public record AdminSettings(String host, int port, Duration headerTimeout, Duration idleTimeout,
                            int maxConnections) {
}
