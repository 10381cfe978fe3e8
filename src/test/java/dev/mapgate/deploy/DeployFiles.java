package dev.mapgate.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The deployment files and the sources they must agree with, read from the repository root. */
final class DeployFiles {

    static final Path DOCKERFILE = Path.of("deploy/docker/Dockerfile");
    static final Path IMAGE_CONFIG = Path.of("deploy/docker/mapgate.conf");
    static final Path DOCKERIGNORE = Path.of(".dockerignore");
    static final Path UNIT = Path.of("deploy/systemd/mapgate.service");
    static final Path VM_CONFIG = Path.of("deploy/systemd/mapgate.conf");
    /** The page that tells users how to deploy, with the commands these files must agree with. */
    static final Path DEPLOYMENT_GUIDE = Path.of("src/site/markdown/deployment.md");

    private DeployFiles() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dockerfile dockerfile() {
        return Dockerfile.parse(read(DOCKERFILE));
    }

    static SystemdUnit unit() {
        return SystemdUnit.parse(read(UNIT));
    }

    /** mapgate's defaults, straight from reference.conf. */
    static Config reference() {
        return ConfigFactory.parseFile(Path.of("src/main/resources/reference.conf").toFile()).resolve().getConfig("mapgate");
    }
}
