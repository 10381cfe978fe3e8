package dev.mapgate.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Opens {@link SettingsLoader#load(Path, Map)} and {@link SettingsLoader#effective(Path, Map)} to
 * tests outside this package, so that they can load a config with the environment a deployment
 * gives it rather than this JVM's.
 */
public final class SettingsWithEnvironment {

    private SettingsWithEnvironment() {
    }

    public static Settings load(Path configFile, Map<String, String> env) {
        return SettingsLoader.load(configFile, env);
    }

    public static EffectiveConfig effective(Path configFile, Map<String, String> env) {
        return SettingsLoader.effective(configFile, env);
    }
}
