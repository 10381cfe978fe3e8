package dev.mapgate.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external programs some tests run as origins. A developer without them gets those
 * tests skipped, with the package to install; CI sets {@value #REQUIRE_ENV}=1 (in {@code .ci/run},
 * which installs them), so there a missing program fails instead of silently testing less.
 */
public final class RequiredTools {

    public static final String REQUIRE_ENV = "MAPGATE_TEST_REQUIRE_ORIGINS";

    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    private RequiredTools() {
    }

    /** Debian's nginx, where the {@code nginx-light} package puts it. */
    public static Path nginx() {
        return require(Optional.of(NGINX).filter(Files::isExecutable), NGINX.toString(), "nginx-light");
    }

    /** {@code python3} from the PATH. */
    public static Path python3() {
        String path = System.getenv().getOrDefault("PATH", "");
        Optional<Path> found = Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "python3"))
                .filter(Files::isExecutable)
                .findFirst();
        return require(found, "python3 on the PATH", "python3");
    }

    private static Path require(Optional<Path> found, String what, String debianPackage) {
        if (found.isPresent()) {
            return found.get();
        }
        String message = what + " is missing; install it (apt-get install " + debianPackage
                + ") to run the tests that use it as an origin";
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            throw new AssertionError(message + " (" + REQUIRE_ENV + "=1: a missing origin is a failure, not a skip)");
        }
        return Assumptions.abort(message);
    }
}
