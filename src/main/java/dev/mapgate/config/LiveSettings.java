package dev.mapgate.config;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * The settings snapshot in force. A reload replaces the whole snapshot with one write, so a
 * reader sees either the old config or the new one, never a mix; whoever took the old snapshot
 * keeps it for as long as it holds the reference (a request, a connection).
 */
public final class LiveSettings implements Supplier<Settings> {

    private volatile Settings current;

    public LiveSettings(Settings initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    @Override
    public Settings get() {
        return current;
    }

    /** The rules for one request, from the snapshot in force now. */
    public RequestRules requestRules() {
        return current.requestRules();
    }

    /** Puts {@code next} in force for everything that asks from now on. */
    public void replace(Settings next) {
        current = Objects.requireNonNull(next, "next");
    }
}
