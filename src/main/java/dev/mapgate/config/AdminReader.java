package dev.mapgate.config;

import java.time.Duration;

/** Reads {@code mapgate.admin}, the health and metrics listener. */
final class AdminReader {

    private static final String P = "mapgate.admin.";

    private AdminReader() {
    }

    static AdminSettings read(ConfigValues values) {
        return new AdminSettings(values.string(P + "host"),
                // 0 lets the OS pick a free port, as for the listener.
                values.intInRange(P + "port", 0, 65535),
                // Bounded so that the timers' nanoseconds cannot overflow.
                values.positiveDuration(P + "header-timeout", Duration.ofDays(365)),
                values.positiveDuration(P + "idle-timeout", Duration.ofDays(365)),
                values.intInRange(P + "max-connections", 1, Integer.MAX_VALUE));
    }
}
