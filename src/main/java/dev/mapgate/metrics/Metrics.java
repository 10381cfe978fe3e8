package dev.mapgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Owns every meter name and tag mapgate publishes, so that dashboards and alerts have one place
 * to look. Handlers get this object, never the registry.
 */
public final class Metrics {

    private final MeterRegistry registry;
    private final Counter clientAddressUnknown;
    private final Counter proxyHeaderRefused;

    public Metrics(MeterRegistry registry) {
        this.registry = registry;
        this.clientAddressUnknown = Counter.builder("mapgate.client.address.unknown")
                .description("Requests whose client-ip header, from a trusted proxy, held something other than an address")
                .register(registry);
        this.proxyHeaderRefused = Counter.builder("mapgate.proxy.protocol.refused")
                .description("Connections closed for a PROXY header from an untrusted peer, or none from a trusted one")
                .register(registry);
    }

    /** Meters kept in memory only; for tests and until an endpoint publishes them. */
    public static Metrics inMemory() {
        return new Metrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void clientAddressUnknown() {
        clientAddressUnknown.increment();
    }

    public void proxyHeaderRefused() {
        proxyHeaderRefused.increment();
    }
}
