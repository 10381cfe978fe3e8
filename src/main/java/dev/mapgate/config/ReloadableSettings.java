package dev.mapgate.config;

import dev.mapgate.gate.ClientAddressResolver;
import java.nio.file.Path;
import java.util.List;

/**
 * What a reload may change: a reload that loads replaces this whole record, in one write, for
 * every connection and request from then on.
 *
 * @param clientIp which address a request is judged by ({@code mapgate.client-ip})
 * @param sources  every file this snapshot was read from: the config file, token files, the
 *                 htpasswd file; a change to any of them means a new snapshot should be loaded
 * @param warnings problems that do not stop startup, e.g. a gate that can allow nothing
 */
public record ReloadableSettings(ListenRules listenRules, GateSettings gate, ClientAddressResolver clientIp,
                                 ShutdownSettings shutdown, List<Path> sources, List<String> warnings) {
    public ReloadableSettings {
        sources = List.copyOf(sources);
        warnings = List.copyOf(warnings);
    }

    /** What one request is judged by; taken once per request, so a reload never changes it midway. */
    public RequestRules requestRules() {
        return new RequestRules(gate, listenRules.hosts(), clientIp);
    }
}
