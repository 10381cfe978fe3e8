package dev.mapgate.config;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The settings snapshot in force. A reload replaces the whole snapshot with one write, so a
 * reader sees either the old config or the new one, never a mix; whoever took the old snapshot
 * keeps it for as long as it holds the reference (a request, a connection).
 */
public final class LiveSettings implements Supplier<Settings> {

    /** The snapshot and its request rules, built once per config version rather than per request. */
    private record Current(Settings settings, RequestRules rules) {
        Current(Settings settings) {
            this(Objects.requireNonNull(settings, "settings"), settings.requestRules());
        }
    }

    private volatile Current current;

    public LiveSettings(Settings initial) {
        this.current = new Current(initial);
    }

    @Override
    public Settings get() {
        return current.settings();
    }

    /** The rules for one request, from the snapshot in force now. */
    public RequestRules requestRules() {
        return current.rules();
    }

    /** Puts {@code next} in force for everything that asks from now on. */
    public void replace(Settings next) {
        current = new Current(next);
    }
}
