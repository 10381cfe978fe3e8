package dev.mapgate.config;

import java.util.List;

/**
 * One immutable snapshot of mapgate's configuration. Built once per config version by
 * {@link SettingsLoader}; handlers receive it (or its parts), never a {@code Config}.
 *
 * @param warnings problems that do not stop startup, e.g. a gate that can allow nothing
 */
public record Settings(ListenSettings listen, OriginSettings origin, GateSettings gate, AdminSettings admin,
                       List<String> warnings) {
    public Settings {
        warnings = List.copyOf(warnings);
    }
}
