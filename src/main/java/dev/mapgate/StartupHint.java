package dev.mapgate;

import dev.mapgate.config.Settings;
import dev.mapgate.gate.Route;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one line printed at startup: where mapgate listens and a curl command that fetches a map
 * through the gate. The token is spelled out only when it is the shipped example token, which is
 * public anyway; a real token is never printed.
 */
final class StartupHint {

    static final String EXAMPLE_TOKEN = "example-token-change-me";

    private StartupHint() {
    }

    static String describe(Settings settings, InetSocketAddress bound, InetSocketAddress admin) {
        String base = (settings.listen().tls() != null ? "https://" : "http://") + hostOf(bound) + ":" + bound.getPort();
        String origin = settings.origin().isProxy()
                ? "origin " + settings.origin().url()
                : "static origin " + settings.origin().directory();
        String tokenHeader = settings.gate().tokenHeader();
        String token = settings.gate().policy().acceptsToken(EXAMPLE_TOKEN) ? EXAMPLE_TOKEN : "<your token>";
        String mapPath = exampleMap(settings).orElse("/path/to/app.js.map");
        // The curl command comes last, so that everything after "curl " can be pasted as it is.
        return "mapgate listening on " + base + " (" + origin + "); metrics and health on http://"
                + hostOf(admin) + ":" + admin.getPort() + "; fetch a map: curl -i -H '"
                + tokenHeader + ": " + token + "' " + base + mapPath;
    }

    private static String hostOf(InetSocketAddress address) {
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /** The first gated file under the static origin, to make the hint copy-and-paste ready. */
    private static Optional<String> exampleMap(Settings settings) {
        Path root = settings.origin().directory();
        if (root == null) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(root, 4)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> "/" + root.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> settings.gate().policy().route(p) == Route.GATED)
                    .sorted()
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
