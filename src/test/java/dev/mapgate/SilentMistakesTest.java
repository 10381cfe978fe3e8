package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.TestMapgate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes new users made that mapgate used to let pass: each one left mapgate running on its
 * defaults, or said what went wrong in a language only its authors read. Each test makes the
 * mistake the way a user did and checks the one line they now get.
 */
class SilentMistakesTest {

    private static final String TOKEN = "tok-5d0c81e2-silent-mistakes-9a3f6b7e";

    /** A config that loads and would serve, with the gate set up. */
    private static final String VALID = """
            mapgate {
              origin.directory = "site"
              gate.allow-ips = ["127.0.0.1/32"]
              gate.token.tokens = [ { name = "sentry", value = "%s" } ]
            }
            """.formatted(TOKEN);

    @TempDir
    Path dir;

    @Test
    void aSectionWrittenAboveTheMapgateBlockIsRefusedNamingTheKey() throws IOException {
        Cli.Result result = checkConfig("origin.url = \"http://127.0.0.1:8081\"\n" + VALID, Map.of());

        assertThat(result.exit()).as("a key that would change nothing is an error").isEqualTo(Main.EXIT_CONFIG);
        assertThat(result.errLines()).singleElement().asString()
                .contains(": origin.url: written outside mapgate { }")
                .contains("put it inside the mapgate block")
                .contains("app.conf: 1");
    }

    @Test
    void aKeyWrittenAfterTheMapgateBlockIsRefusedNamingTheKey() throws IOException {
        Cli.Result result = checkConfig(VALID + "gate.allow-ips = [\"10.0.0.0/8\"]\n", Map.of());

        assertThat(result.exit()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(result.errLines()).singleElement().asString()
                .contains(": gate.allow-ips: written outside mapgate { }");
    }

    @Test
    void aMisspeltMapgateBlockIsRefusedWithTheRightName() throws IOException {
        Cli.Result result = checkConfig(VALID.replaceFirst("mapgate", "mapgat"), Map.of());

        assertThat(result.exit()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(result.errLines()).singleElement().asString().contains(": mapgat: ").contains("did you mean mapgate?");
    }

    @Test
    void topLevelValuesForSubstitutionStayAllowed() throws IOException {
        Cli.Result result = checkConfig("office = [\"192.0.2.0/24\"]\n"
                + VALID.replace("[\"127.0.0.1/32\"]", "${office}"), Map.of());

        assertThat(result.exit()).as("stderr: %s", result.err()).isZero();
    }

    @Test
    void aMisspeltVariableIsAWarningWithTheNameItMeant() throws IOException {
        Cli.Result result = checkConfig(VALID, Map.of("MAPGATE_ORIGN_URL", "http://127.0.0.1:8081"));

        assertThat(result.exit()).as("a warning, so a rollback that leaves a newer variable still starts").isZero();
        assertThat(result.errLines()).contains("warning: environment variable MAPGATE_ORIGN_URL is not one mapgate"
                + " reads, so it changes nothing; did you mean MAPGATE_ORIGIN_URL?");
    }

    @Test
    void onlyVariablesNothingReadsAreWarnedAbout() throws IOException {
        Cli.Result result = checkConfig(VALID.replace("\"%s\"".formatted(TOKEN), "${?MAPGATE_SENTRY_TOKEN}"),
                Map.of("MAPGATE_SENTRY_TOKEN", TOKEN, "MAPGATE_LISTEN_PORT", "18081", "MAPGATE_LOG_FORMAT", "json",
                        "MAPGATE_VERIFY_TOKEN", TOKEN, "MAPGATE_TEST_REQUIRE_ORIGINS", "1", "MAPGATE_NONSENSE", "1"));

        assertThat(result.exit()).as("stderr: %s", result.err()).isZero();
        assertThat(result.errLines()).filteredOn(line -> line.startsWith("warning:"))
                .as("one the file substitutes, ones mapgate reads and the test suite's own are no mistake")
                .containsExactly("warning: environment variable MAPGATE_NONSENSE is not one mapgate reads, so it"
                        + " changes nothing; see the list in reference.conf");
    }

    @Test
    void aBadValueOfAConfigVariableIsAnErrorNamingTheVariable() throws IOException {
        Cli.Result result = checkConfig(VALID, Map.of("MAPGATE_LISTEN_PORT", "eighty"));

        assertThat(result.exit()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(result.errLines()).singleElement().asString()
                .contains("mapgate.listen.port").contains("MAPGATE_LISTEN_PORT");
    }

    @Test
    @Heavy // a JVM per case
    void aLogFormatMapgateDoesNotKnowStopsItBeforeItStarts() throws Exception {
        Path config = write(VALID);
        for (String value : List.of("jsn", "xml")) {
            MapgateJvm.Finished run = TestMapgate.jvm().env(Map.of("MAPGATE_LOG_FORMAT", value)).run("",
                    "check-config", "--config", config.toString());

            assertThat(run.exit()).as("MAPGATE_LOG_FORMAT=%s; stderr: %s", value, run.stderr())
                    .isEqualTo(Main.EXIT_CONFIG);
            assertThat(run.stderr().lines()).singleElement().isEqualTo(
                    "mapgate: environment variable MAPGATE_LOG_FORMAT=" + value + ": expected json or text");
        }
    }

    @Test
    @Heavy // a JVM per case
    void anUpperCaseLogFormatIsUnderstood() throws Exception {
        Path config = write(VALID.replace("mapgate {", "mapgate {\n  listen { host = \"127.0.0.1\", port = 0 }"
                + "\n  admin.port = 0"));
        try (MapgateJvm mapgate = TestMapgate.jvm().env(Map.of("MAPGATE_LOG_FORMAT", "JSON")).start(
                "--config", config.toString())) {
            mapgate.awaitPort();

            assertThat(mapgate.output()).as("every log line is a JSON object").isNotEmpty()
                    .allSatisfy(line -> assertThat(line).startsWith("{\"@timestamp\""));
        }
    }

    @Test
    void aMissingFileIsSaidInPlainWords() throws IOException {
        Cli.Result result = checkConfig(VALID.replace("mapgate {", "mapgate {\n  gate.basic.htpasswd-file = users.htpasswd"),
                Map.of());

        assertThat(result.exit()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(result.errLines()).singleElement().asString()
                .endsWith("mapgate.gate.basic.htpasswd-file: " + dir.resolve("users.htpasswd") + " does not exist")
                .doesNotContain("Exception");
    }

    @Test
    void aMissingConfigFileIsNamedOnce() {
        Path missing = dir.resolve("nope.conf");

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", missing.toString());

        assertThat(result.exit()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(result.errLines()).containsExactly("mapgate: config error in " + missing + ": the file does not exist");
    }

    @Test
    @Heavy // a JVM per case
    void aTakenPortIsSaidInPlainWordsWithTheKeyToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Path config = write(VALID.replace("mapgate {", "mapgate {\n  listen { host = \"127.0.0.1\", port = %d }"
                    .formatted(port)));
            try (MapgateJvm mapgate = TestMapgate.jvm().start("--config", config.toString())) {
                assertThat(mapgate.awaitExit()).as("output: %s", mapgate.output()).isEqualTo(Main.EXIT_LISTEN);
                assertThat(mapgate.output()).last().isEqualTo("mapgate: mapgate.listen: cannot listen on 127.0.0.1:"
                        + port + ": address already in use: another process listens on port " + port
                        + "; stop it or choose another mapgate.listen.port");
            }
        }
    }

    @Test
    void checkConfigShowsRelativePathsResolvedAgainstTheConfigsFolder() throws IOException {
        Files.writeString(dir.resolve("sentry.token"), TOKEN + "\n", StandardCharsets.UTF_8);
        Files.createDirectories(dir.resolve("elsewhere"));
        Cli.Result result = checkConfig(VALID.replace("value = \"%s\"".formatted(TOKEN), "file = \"sentry.token\""),
                Map.of());

        assertThat(result.exit()).as("stderr: %s", result.err()).isZero();
        Config effective = ConfigFactory.parseString(result.out());
        assertThat(effective.getConfigList("mapgate.gate.token.tokens").get(0).getString("file"))
                .as("the file mapgate reads, wherever check-config was run from")
                .isEqualTo(dir.resolve("sentry.token").toString());
        assertThat(effective.getString("mapgate.origin.directory")).isEqualTo(dir.resolve("site").toString());
    }

    private Cli.Result checkConfig(String text, Map<String, String> env) throws IOException {
        return Cli.run(env, "check-config", "--config", write(text).toString());
    }

    /** The config as app.conf, beside the folder it serves. */
    private Path write(String text) throws IOException {
        Files.createDirectories(dir.resolve("site"));
        return Files.writeString(dir.resolve("app.conf"), text, StandardCharsets.UTF_8);
    }
}
