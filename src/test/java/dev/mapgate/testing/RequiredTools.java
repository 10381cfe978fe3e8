package dev.mapgate.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external programs some tests run: origins, and kubectl for the Kubernetes examples. A
 * developer without them gets those tests skipped, with the package to install; CI sets
 * {@value #REQUIRE_ENV}=1 (in {@code .ci/run}, which installs them), so there a missing program
 * fails instead of silently testing less.
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
        return require(onPath("python3"), "python3 on the PATH", "python3");
    }

    /**
     * {@code kubectl} from the PATH, which renders the kustomizations under deploy/kubernetes. Any
     * kubectl with kustomize built in does; Debian's kubernetes-client (1.20) is old but enough.
     */
    public static Path kubectl() {
        return require(onPath("kubectl"), "kubectl on the PATH", "kubernetes-client",
                "to render deploy/kubernetes with kubectl kustomize");
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static Path require(Optional<Path> found, String what, String debianPackage) {
        return require(found, what, debianPackage, "to run the tests that use it as an origin");
    }

    private static Path require(Optional<Path> found, String what, String debianPackage, String purpose) {
        if (found.isPresent()) {
            return found.get();
        }
        String message = what + " is missing; install it (apt-get install " + debianPackage
                + ") " + purpose;
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            throw new AssertionError(message + " (" + REQUIRE_ENV + "=1: a missing program is a failure, not a skip)");
        }
        return Assumptions.abort(message);
    }
}
