package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.TestMapgate;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer does first: start mapgate with the shipped conf/mapgate.conf and paste the
 * curl command it prints. (The port comes from MAPGATE_LISTEN_PORT=0 so tests never collide.)
 */
@Heavy
class QuickStartTest {

    @TempDir
    Path dir;

    @Test
    void theDefaultConfigServesTheExampleMapToThePrintedCurlCommand() throws Exception {
        try (MapgateJvm mapgate = TestMapgate.jvm().env(Map.of("MAPGATE_LISTEN_PORT", "0")).start()) {
            mapgate.awaitPort();
            String hint = mapgate.output().stream().filter(l -> l.contains("listening on")).findFirst().orElseThrow();
            String curl = hint.substring(hint.indexOf("curl "));
            assertThat(curl).contains("X-Sentry-Token: example-token-change-me").contains("/app.js.map");

            String withToken = run(curl + " -sS");
            assertThat(withToken).startsWith("HTTP/1.1 200").contains("\"version\":3")
                    .containsIgnoringCase("cache-control: private, no-store");

            String withoutToken = run(curl.replaceAll("-H '[^']*'", "") + " -sS");
            assertThat(withoutToken).as("without the token the map is not served").startsWith("HTTP/1.1 404")
                    .doesNotContain("\"version\":3");

            String js = run(curl.replaceAll("-H '[^']*'", "").replace("app.js.map", "app.js") + " -sS");
            assertThat(js).startsWith("HTTP/1.1 200").contains("//# sourceMappingURL=app.js.map");
        }
    }

    @Test
    void aBadConfigStopsStartupWithOneLineNamingTheKey() throws Exception {
        Path config = dir.resolve("bad.conf");
        Files.writeString(config, "mapgate { listen.port = 70000, origin.directory = \".\" }\n", StandardCharsets.UTF_8);
        try (MapgateJvm mapgate = TestMapgate.jvm().start("--config", config.toString())) {
            assertThat(mapgate.awaitExit()).isNotZero();
            assertThat(mapgate.output()).hasSize(1);
            assertThat(mapgate.output().get(0)).contains("mapgate.listen.port").contains("70000");
        }
    }

    @Test
    void aTakenPortStopsStartupWithOneLineNamingTheKey() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path config = dir.resolve("taken.conf");
            Files.writeString(config, ("mapgate { listen { host = \"127.0.0.1\", port = %d }, origin.directory = \".\", "
                    + "gate { require = [ip], allow-ips = [\"127.0.0.1\"] } }\n")
                    .formatted(taken.getLocalPort()), StandardCharsets.UTF_8);
            try (MapgateJvm mapgate = TestMapgate.jvm().start("--config", config.toString())) {
                assertThat(mapgate.awaitExit()).as("exit status; output: %s", mapgate.output()).isEqualTo(3);
                assertThat(mapgate.output()).as("one line, no stack trace").hasSize(1);
                assertThat(mapgate.output().get(0)).startsWith("mapgate: mapgate.listen: cannot listen on 127.0.0.1:"
                        + taken.getLocalPort() + ": address already in use").doesNotContain("error(");
            }
        }
    }

    private static String run(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command.replace("curl -i", "curl -i --max-time 10"))
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
