package dev.mapgate.config;

import dev.mapgate.gate.ClientAddressResolver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One immutable snapshot of mapgate's configuration: what is fixed at startup and what a reload
 * may change. Built once per config version by {@link SettingsLoader}; handlers receive it (or
 * its parts), never a {@code Config}. The accessors below are shortcuts into the two parts.
 */
public record Settings(StartupSettings startup, ReloadableSettings reloadable) {

    public ListenSettings listen() {
        return startup.listen();
    }

    public OriginSettings origin() {
        return startup.origin();
    }

    public AdminSettings admin() {
        return startup.admin();
    }

    public Duration reloadInterval() {
        return startup.reloadInterval();
    }

    public Path configFile() {
        return startup.configFile();
    }

    public ListenRules listenRules() {
        return reloadable.listenRules();
    }

    public GateSettings gate() {
        return reloadable.gate();
    }

    public ClientAddressResolver clientIp() {
        return reloadable.clientIp();
    }

    public ShutdownSettings shutdown() {
        return reloadable.shutdown();
    }

    public List<Path> sources() {
        return reloadable.sources();
    }

    public List<String> warnings() {
        return reloadable.warnings();
    }

    /** What one request is judged by; taken once per request, so a reload never changes it midway. */
    public RequestRules requestRules() {
        return reloadable.requestRules();
    }
}
