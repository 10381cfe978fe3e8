package dev.mapgate.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Loads a config as a container would: with that container's environment, not the test JVM's, for
 * both the {@code MAPGATE_*} overrides and {@code ${?VAR}} in the file.
 */
public final class PodSettings {

    private PodSettings() {
    }

    /** @throws ConfigProblem as {@code mapgate run} would report it */
    public static Settings load(Path configFile, Map<String, String> containerEnv) {
        return SettingsLoader.load(configFile, containerEnv);
    }
}
