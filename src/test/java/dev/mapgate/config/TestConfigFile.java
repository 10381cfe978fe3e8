package dev.mapgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A test's config file, {@code mapgate.conf} in the test's folder beside a folder {@code site}
 * for a static origin, loaded as {@code mapgate run} loads it, with the environment the test gives.
 */
final class TestConfigFile {

    private TestConfigFile() {
    }

    static Path write(Path dir, String config) {
        try {
            Files.createDirectories(dir.resolve("site"));
            Path file = dir.resolve("mapgate.conf");
            Files.writeString(file, config, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Settings load(Path dir, String config, Map<String, String> env) {
        return SettingsLoader.load(write(dir, config), env);
    }

    /** The message of the ConfigProblem that loading {@code config} must raise; always one line. */
    static String problem(Path dir, String config, Map<String, String> env) {
        Path file = write(dir, config);
        ConfigProblem problem = catchThrowableOfType(ConfigProblem.class, () -> SettingsLoader.load(file, env));
        assertThat(problem).as("loading should fail:%n%s", config).isNotNull();
        assertThat(problem.getMessage()).as("a ConfigProblem message is one line").doesNotContain("\n", "\r");
        return problem.getMessage();
    }
}
