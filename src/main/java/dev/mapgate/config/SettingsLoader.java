package dev.mapgate.config;

import java.nio.file.Path;

/** Reads a HOCON file over {@code reference.conf} into one validated {@link Settings} snapshot. */
public final class SettingsLoader {

    private SettingsLoader() {
    }

    /** @throws ConfigProblem naming the key path and the problem */
    public static Settings load(Path configFile) {
        throw new UnsupportedOperationException("TODO");
    }
}
