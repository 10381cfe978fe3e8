package dev.mapgate.config;

import java.time.Duration;

/**
 * How mapgate stops on SIGTERM ({@code mapgate.shutdown}).
 *
 * @param drainDelay how long it keeps accepting after turning unready, so that load balancers and
 *                   Kubernetes endpoints stop sending new connections before the port closes
 * @param grace      how long requests in flight then get to finish
 */
public record ShutdownSettings(Duration drainDelay, Duration grace) {
}
