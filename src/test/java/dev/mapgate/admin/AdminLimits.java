package dev.mapgate.admin;

import dev.mapgate.config.AdminSettings;
import java.time.Duration;

/** The three limits of admin settings, for tests that build the settings without a config file. */
record AdminLimits(Duration headerTimeout, Duration idleTimeout, int maxConnections) {

    /** As reference.conf sets them. */
    static final AdminLimits DEFAULTS = new AdminLimits(Duration.ofSeconds(5), Duration.ofMinutes(6), 64);

    AdminSettings at(String host, int port) {
        return new AdminSettings(host, port, headerTimeout, idleTimeout, maxConnections);
    }
}
