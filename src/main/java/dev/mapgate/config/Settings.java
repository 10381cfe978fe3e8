package dev.mapgate.config;

import dev.mapgate.gate.ClientAddressResolver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One immutable snapshot of mapgate's configuration. Built once per config version by
 * {@link SettingsLoader}; handlers receive it (or its parts), never a {@code Config}.
 *
 * @param clientIp which address a request is judged by ({@code mapgate.client-ip})
 * @param reloadInterval how often {@code sources} are checked for changes ({@code mapgate.reload})
 * @param sources  every file this snapshot was read from: the config file, token files, the
 *                 htpasswd file; a change to any of them means a new snapshot should be loaded
 * @param warnings problems that do not stop startup, e.g. a gate that can allow nothing
 */
public record Settings(ListenSettings listen, OriginSettings origin, GateSettings gate,
                       ClientAddressResolver clientIp, AdminSettings admin, ShutdownSettings shutdown,
                       Duration reloadInterval, List<Path> sources, List<String> warnings) {
    public Settings {
        sources = List.copyOf(sources);
        warnings = List.copyOf(warnings);
    }

    /** What one request is judged by; taken once per request, so a reload never changes it midway. */
    public RequestRules requestRules() {
        return new RequestRules(gate, listen.hosts(), clientIp);
    }
}
