package dev.mapgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What is read once, at startup: settings bound to sockets, threads, pools and tables made then.
 * Changing the listener's port in place would mean a moment with no listener, or two; so a reload
 * that changes any of these keeps the running value and says a restart is needed.
 *
 * @param configFile         the file the config was loaded from, which a reload loads again
 * @param throttleMaxTracked size of the failure table ({@code gate.throttle.max-tracked})
 * @param reloadInterval     how often the watched files are checked ({@code reload.check-interval})
 */
public record StartupSettings(Path configFile, ListenSettings listen, OriginSettings origin, AdminSettings admin,
                              int throttleMaxTracked, Duration reloadInterval) {

    /** A setting a restart is needed for, under the key a log line names it by. */
    private record Key(String path, Function<StartupSettings, Object> value) {
    }

    private static final List<Key> KEYS = List.of(
            new Key("mapgate.listen.host", s -> s.listen().host()),
            new Key("mapgate.listen.port", s -> s.listen().port()),
            new Key("mapgate.listen.io-threads", s -> s.listen().ioThreads()),
            new Key("mapgate.listen.max-connections", s -> s.listen().maxConnections()),
            new Key("mapgate.listen.tls", s -> s.listen().tls()),
            new Key("mapgate.listen.transport", s -> s.listen().transport()),
            new Key("mapgate.gate.throttle.max-tracked", StartupSettings::throttleMaxTracked),
            new Key("mapgate.origin", StartupSettings::origin),
            new Key("mapgate.admin", StartupSettings::admin),
            new Key("mapgate.reload.check-interval", StartupSettings::reloadInterval));

    /** The keys whose value in {@code loaded} differs from this one's, in reference.conf order. */
    public List<String> changedKeys(StartupSettings loaded) {
        return KEYS.stream()
                .filter(key -> !Objects.equals(key.value().apply(this), key.value().apply(loaded)))
                .map(Key::path)
                .toList();
    }
}
