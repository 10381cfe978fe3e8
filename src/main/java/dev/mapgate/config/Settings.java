package dev.mapgate.config;

import dev.mapgate.gate.ClientAddressResolver;
import java.util.List;

/**
 * One immutable snapshot of mapgate's configuration. Built once per config version by
 * {@link SettingsLoader}; handlers receive it (or its parts), never a {@code Config}.
 *
 * @param clientIp which address a request is judged by ({@code mapgate.client-ip})
 * @param warnings problems that do not stop startup, e.g. a gate that can allow nothing
 */
public record Settings(ListenSettings listen, OriginSettings origin, GateSettings gate,
                       ClientAddressResolver clientIp, AdminSettings admin, List<String> warnings) {
    public Settings {
        warnings = List.copyOf(warnings);
    }
}
