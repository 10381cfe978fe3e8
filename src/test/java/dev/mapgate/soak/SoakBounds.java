package dev.mapgate.soak;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;

/**
 * How long and how hard the soak and flood tests push, each a system property so that a longer
 * run is one command ({@code mvn -Psoak test -Dmapgate.soak.duration=30m}); the defaults are
 * what {@code .ci/run} can afford. Durations are written as in the config: 90s, 3m, 1h.
 */
final class SoakBounds {

    /** The tag the soak profile runs and the default build leaves out. */
    static final String TAG = "soak";

    private SoakBounds() {
    }

    /** How long the mixed load runs in {@link MixedLoadSoakTest}. */
    static Duration duration() {
        return duration("mapgate.soak.duration", "3m");
    }

    /** How many keep-alive connections {@link ConnectionFloodSoakTest} opens at once. */
    static int connections() {
        return Integer.getInteger("mapgate.soak.connections", 10_000);
    }

    /** How long {@link ConnectionFloodSoakTest} holds them open between two rounds of requests. */
    static Duration hold() {
        return duration("mapgate.soak.hold", "30s");
    }

    /** How many config reloads {@link ReloadFloodSoakTest} makes under load. */
    static int reloads() {
        return Integer.getInteger("mapgate.soak.reloads", 100);
    }

    private static Duration duration(String property, String fallback) {
        String value = System.getProperty(property, fallback);
        return ConfigFactory.parseMap(Map.of("d", value)).getDuration("d");
    }
}
