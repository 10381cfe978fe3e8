package dev.mapgate.config;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The settings snapshot in force. What is fixed at startup stays; a reload replaces the
 * reloadable part with one write, so a reader sees either the old config or the new one, never a
 * mix; whoever took the old snapshot keeps it for as long as it holds the reference (a request, a
 * connection).
 */
public final class LiveSettings implements Supplier<Settings> {

    /** The snapshot and its request rules, built once per config version rather than per request. */
    private record Current(Settings settings, RequestRules rules) {
        Current(Settings settings) {
            this(Objects.requireNonNull(settings, "settings"), settings.requestRules());
        }
    }

    private final StartupSettings startup;
    private volatile Current current;

    public LiveSettings(Settings initial) {
        this.startup = initial.startup();
        this.current = new Current(initial);
    }

    @Override
    public Settings get() {
        return current.settings();
    }

    /** What the server was started with; no reload changes it. */
    public StartupSettings startup() {
        return startup;
    }

    /** The rules for one request, from the snapshot in force now. */
    public RequestRules requestRules() {
        return current.rules();
    }

    /** Puts {@code next} in force for everything that asks from now on; the startup part stays. */
    public void replace(ReloadableSettings next) {
        current = new Current(new Settings(startup, next));
    }
}
