package dev.mapgate.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files one load reads: paths are resolved against the config file's folder, and the files
 * the gate is pointed to are noted, so that the reload watcher checks them too.
 */
final class ConfigFiles {

    private final Path configFile;
    private final Path baseDirectory;
    private final List<Path> watched = new ArrayList<>();

    ConfigFiles(Path configFile) {
        this.configFile = configFile;
        this.baseDirectory = configFile.getParent();
    }

    Path configFile() {
        return configFile;
    }

    /** Relative paths are relative to the config file, so a config folder can be moved as a whole. */
    Path resolve(String key, String text) {
        if (text.isEmpty()) {
            throw new ConfigProblem(key + ": must not be empty");
        }
        try {
            return resolve(baseDirectory, text);
        } catch (InvalidPathException e) {
            throw new ConfigProblem(SettingsLoader.oneLine(key + ": is not a valid path (" + e.getReason() + ")"));
        }
    }

    /** Where a path written in a config in {@code baseDirectory} points. */
    static Path resolve(Path baseDirectory, String text) {
        return baseDirectory.resolve(text).toAbsolutePath().normalize();
    }

    Path readableFile(ConfigValues values, String key, String text) {
        Path file = resolve(key, text);
        if (!Files.isRegularFile(file)) {
            throw values.problem(key, file + (Files.exists(file) ? " is not a regular file" : " does not exist"));
        }
        if (!Files.isReadable(file)) {
            throw values.problem(key, file + " cannot be read");
        }
        return file;
    }

    /** A change to {@code file} means the config should be loaded again. */
    void watch(Path file) {
        watched.add(file);
    }

    /** The config file first, then every file it pointed to. */
    List<Path> sources() {
        List<Path> sources = new ArrayList<>();
        sources.add(configFile);
        sources.addAll(watched);
        return List.copyOf(sources);
    }
}
