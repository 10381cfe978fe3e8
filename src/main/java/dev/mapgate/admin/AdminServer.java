package dev.mapgate.admin;

import dev.mapgate.config.AdminSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;

/**
 * The admin listener ({@code admin.host}/{@code admin.port}): {@code /metrics} in Prometheus text
 * format, {@code /healthz} and {@code /readyz}, and nothing else. It runs on a thread of its own,
 * apart from the traffic listener, so that it can still say "unhealthy" when the I/O loops hang.
 */
public final class AdminServer implements AutoCloseable {

    private AdminServer() {
    }

    /** Binds and returns once listening. */
    public static AdminServer start(AdminSettings settings, Probes probes, PrometheusMeterRegistry registry)
            throws InterruptedException {
        throw new UnsupportedOperationException("TODO");
    }

    public InetSocketAddress address() {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void close() {
    }
}
