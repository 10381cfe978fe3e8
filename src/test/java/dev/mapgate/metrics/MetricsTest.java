package dev.mapgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void theThrottleTableGaugeKeepsReadingItsSupplierAfterGarbageCollection() {
        Metrics metrics = Metrics.inMemory();
        AtomicInteger tracked = new AtomicInteger(7);
        metrics.throttleTable(tracked::get);

        // A gauge holds its object weakly by default; a method reference held by nothing else would
        // be collected, and the gauge would read NaN from then on.
        System.gc();
        tracked.set(42);

        assertThat(metrics.registry().get("mapgate.gate.throttle.tracked").gauge().value()).isEqualTo(42.0);
        assertThat(metrics.registry().scrape()).contains("mapgate_gate_throttle_tracked 42.0");
    }

    @Test
    void theThrottleStartedCounterIsPublishedFromTheStart() {
        Metrics metrics = Metrics.inMemory();
        assertThat(metrics.registry().scrape()).as("a dashboard shows 0 rather than no data")
                .contains("mapgate_gate_throttle_started_total 0.0");

        metrics.throttleStarted();

        assertThat(metrics.registry().get("mapgate.gate.throttle.started").counter().count()).isEqualTo(1.0);
    }
}
