package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mapgate.config.ConfigProblem;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.testing.EncodedLogs;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The promise of the access log and of every other log line: no secret, ever. mapgate is
 * configured with distinctive tokens and passwords, sent each of them the right way, the wrong
 * way and almost right, and then everything it wrote is searched for them: raw, Base64 (as in a
 * Basic header) and URL-encoded (as in a query). Searches alone could pass by finding nothing,
 * so each run also checks that the lines it searched are the ones it expected.
 */
@Heavy
class NoSecretInLogsTest {

    // Each holds characters that URL encoding changes, so the raw and encoded forms differ.
    static final String TOKEN = "tok+Value/7Qe9=Wz3Kp";
    static final String FILE_TOKEN = "tok~File.4Hd8+Lm2Rx";
    static final String PASSWORD = "pw Alice#5Nq8&Jv1";
    static final String HTPASSWD_PASSWORD = "pw@Bob!6Tz3$Yc9";
    /** What a client with a typo sends: as secret as the real thing. */
    static final String NEAR_TOKEN = TOKEN.substring(0, TOKEN.length() - 1) + "q";
    static final String NEAR_PASSWORD = PASSWORD.substring(0, PASSWORD.length() - 1) + "2";

    static final String ALICE_HASH = BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());
    static final String BOB_HASH = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, HTPASSWD_PASSWORD.toCharArray());

    static final String ALICE = basic("alice", PASSWORD);
    static final String ALICE_TYPO = basic("alice", NEAR_PASSWORD);
    static final String BOB = basic("bob", HTPASSWD_PASSWORD);

    /** How many requests {@link #sendEveryKindOfCredential} sends. */
    static final int EVERY_KIND_OF_CREDENTIAL = 12;

    /** Every form in which a secret must never appear, with a name for the failure message. */
    static final Map<String, String> FORBIDDEN = forbidden();

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeSecretFiles() throws Exception {
        Files.writeString(dir.resolve("sentry-token"), FILE_TOKEN + "\n");
        Files.writeString(dir.resolve("users.htpasswd"), "bob:" + BOB_HASH + "\n");
        Path site = Files.createDirectories(dir.resolve("site/assets"));
        Files.writeString(site.resolve("app.js.map"), TestOrigin.APP_MAP);
        Files.writeString(site.resolve("app.js"), TestOrigin.APP_JS);
    }

    @Test
    void inProcessAtDebugNeitherTheTextNorTheJsonLogHoldsASecret() throws Exception {
        List<Logger> verbose = List.of(logger(Logger.ROOT_LOGGER_NAME), logger("dev.mapgate"), logger("io.netty"),
                logger("mapgate.access"));
        List<Level> before = verbose.stream().map(Logger::getLevel).toList();
        verbose.forEach(l -> l.setLevel(Level.DEBUG));
        try (EncodedLogs logs = EncodedLogs.attach(Logger.ROOT_LOGGER_NAME);
                TestOrigin origin = new TestOrigin();
                TestMapgate mapgate = TestMapgate.start(dir, gateConfig(
                        "origin { url = \"" + origin.url() + "\", response-timeout = 300ms }"))) {
            sendEveryKindOfCredential(mapgate.address());
            try (RawClient c = mapgate.connect()) {
                assertThat(c.get("/slow?ms=1500&token=" + TOKEN).status())
                        .as("an origin timeout, whose warning names the request").isEqualTo(504);
            }
            try (RawClient c = mapgate.connect()) {
                assertThat(c.get("/assets/%zz?token=" + TOKEN).status()).as("a target the gate refuses").isEqualTo(400);
            }
            try (RawClient c = mapgate.connect()) {
                c.send("GET /assets/app.js.map HTTP/1.1\r\nHost: test\r\nX-Sentry-Token: " + TOKEN + "\u0001\r\n\r\n");
                assertThat(c.read(false).status()).as("a token header the codec refuses").isEqualTo(400);
            }
            List<JsonNode> access = awaitAccessLines(logs, EVERY_KIND_OF_CREDENTIAL + 3);

            assertThat(credentialsOfAllowed(access)).as("the access log names whoever got in, by name")
                    .containsExactlyInAnyOrder("by-value", "from-file", "alice", "bob");
            assertThat(logs.text()).as("DEBUG lines were captured too, so they were searched")
                    .contains("event=bad-target")
                    .as("the timeout warning names the path without the query")
                    .contains("event=origin-failure status=504 reason=response-timeout folded=0 path=/slow cause=\"-\""
                            + System.lineSeparator());
            assertNoSecret("the text log", logs.text());
            assertNoSecret("the JSON log", logs.json());
        } finally {
            for (int i = 0; i < verbose.size(); i++) {
                verbose.get(i).setLevel(before.get(i));
            }
        }
        assertNoSecret("the test JVM's log", String.join("\n", LogCapture.lines()));
    }

    @Test
    void aRealProcessLoggingTextPrintsNoSecret() throws Exception {
        List<String> output = runProcess(Map.of());
        List<String> access = output.stream().filter(l -> l.contains(" mapgate.access ")).toList();

        assertThat(access).as("one access line per request").hasSize(EVERY_KIND_OF_CREDENTIAL);
        assertThat(access).filteredOn(l -> l.contains(" route=gated decision=allowed "))
                .extracting(l -> l.replaceAll(".* credential=(\\S+) .*", "$1"))
                .containsExactlyInAnyOrder("by-value", "from-file", "alice", "bob");
        assertNoSecret("mapgate's output in text", String.join("\n", output));
    }

    @Test
    void aRealProcessLoggingJsonPrintsNoSecretAndOnlyJson() throws Exception {
        List<String> output = runProcess(Map.of("MAPGATE_LOG_FORMAT", "json"));
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output) {
            lines.add(mapper.readTree(line));
        }
        List<JsonNode> access = lines.stream().filter(n -> n.path("logger_name").asText().equals("mapgate.access")).toList();

        assertThat(lines).as("the startup line is JSON too").anyMatch(n -> n.path("message").asText().contains("listening on"));
        assertThat(access).as("one access line per request").hasSize(EVERY_KIND_OF_CREDENTIAL);
        assertThat(credentialsOfAllowed(access)).containsExactlyInAnyOrder("by-value", "from-file", "alice", "bob");
        assertNoSecret("mapgate's output in JSON", String.join("\n", output));
    }

    @Test
    void aConfigErrorBesideASecretDoesNotPrintTheSecret() throws Exception {
        Path config = dir.resolve("typo.conf");
        Files.writeString(config, "mapgate { origin.directory = \"site\"\n"
                + " gate.token.tokens = [ { name = \"sentry\", vaule = \"" + TOKEN + "\" } ] }\n");
        try (MapgateJvm mapgate = TestMapgate.jvm().start("--config", config.toString())) {
            assertThat(mapgate.awaitExit()).isEqualTo(2);
            assertThat(mapgate.output()).as("the error is printed, naming the key").singleElement()
                    .asString().contains("mapgate.gate.token.tokens[0].vaule");
            assertNoSecret("the config error", String.join("\n", mapgate.output()));
        }
    }

    @Test
    void noConfigErrorAboutASecretEchoesIt() throws Exception {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("value and file both set", "token.tokens = [ { name = a, value = \"" + TOKEN + "\", file = \"sentry-token\" } ]");
        configs.put("value of the wrong type", "token.tokens = [ { name = a, value = [\"" + TOKEN + "\"] } ]");
        configs.put("the same token name twice", "token.tokens = [ { name = a, value = \"" + TOKEN + "\" },"
                + " { name = a, file = \"sentry-token\" } ]");
        configs.put("a missing comma", "token.tokens = [ { name = a value = \"" + TOKEN + "\" } ]");
        configs.put("an unterminated string", "token.tokens = [ { name = a, value = \"" + TOKEN + " } ]");
        configs.put("a password where its hash belongs", "basic.users = [ { name = alice, password-hash = \"" + PASSWORD + "\" } ]");
        configs.put("a hash with a cost out of range", "basic.users = [ { name = alice, password-hash = \""
                + ALICE_HASH.replace("$04$", "$99$") + "\" } ]");
        configs.put("a user twice", "basic.users = [ { name = alice, password-hash = \"" + ALICE_HASH + "\" },"
                + " { name = alice, password-hash = \"" + ALICE_HASH + "\" } ]");
        configs.put("a user both in the file and in the list", "basic { htpasswd-file = \"users.htpasswd\","
                + " users = [ { name = bob, password-hash = \"" + BOB_HASH + "\" } ] }");
        int i = 0;
        for (Map.Entry<String, String> c : configs.entrySet()) {
            Path config = Files.writeString(dir.resolve("bad-" + i++ + ".conf"),
                    "mapgate { origin.directory = \"site\"\n gate { " + c.getValue() + " } }\n");
            assertThatThrownBy(() -> SettingsLoader.load(config)).as(c.getKey())
                    .isInstanceOf(ConfigProblem.class)
                    .satisfies(e -> assertNoSecret("the error for " + c.getKey(), e.getMessage()));
        }
        Path withUserInfo = Files.writeString(dir.resolve("origin-userinfo.conf"),
                "mapgate { origin.url = \"http://deploy:" + PASSWORD.replace(" ", "%20").replace("#", "%23") + "@127.0.0.1:1/\" }\n");
        assertThatThrownBy(() -> SettingsLoader.load(withUserInfo)).as("an origin URL with a password")
                .isInstanceOf(ConfigProblem.class)
                .satisfies(e -> assertNoSecret("the error for an origin URL with a password", e.getMessage()));
    }

    // --- the requests -----------------------------------------------------------------------

    /** Each credential the right way, almost right and the wrong way; four of them get in. */
    private static void sendEveryKindOfCredential(InetSocketAddress address) throws Exception {
        String map = "/assets/app.js.map";
        expect(address, 200, map, "X-Sentry-Token: " + TOKEN);
        expect(address, 200, map, "X-Sentry-Token: " + FILE_TOKEN);
        expect(address, 404, map, "X-Sentry-Token: " + NEAR_TOKEN);
        expect(address, 200, map, "Authorization: " + ALICE);
        expect(address, 404, map, "Authorization: " + ALICE_TYPO);
        expect(address, 200, map, "Authorization: " + BOB);
        expect(address, 404, map + "?token=" + TOKEN);
        expect(address, 404, map + "?token=" + URLEncoder.encode(TOKEN, StandardCharsets.UTF_8));
        expect(address, 404, map, "Authorization: Bearer " + TOKEN);
        expect(address, 404, map, "X-Api-Key: " + TOKEN);
        expect(address, 404, map, "Cookie: token=" + URLEncoder.encode(TOKEN, StandardCharsets.UTF_8));
        expect(address, 404, map, "X-Sentry-Token: " + TOKEN, "X-Sentry-Token: " + FILE_TOKEN);
    }

    private static void expect(InetSocketAddress address, int status, String target, String... headers) throws Exception {
        try (RawClient c = RawClient.connect(address)) {
            assertThat(c.get(target, headers).status()).as("%s with %s", target, List.of(headers)).isEqualTo(status);
        }
    }

    // --- mapgate as its own process -----------------------------------------------------------

    /** Starts mapgate with the built-in logback.xml, sends every kind of credential, stops it. */
    private static List<String> runProcess(Map<String, String> env) throws Exception {
        Path config = dir.resolve("process-" + System.nanoTime() + ".conf");
        Files.writeString(config, "mapgate {\n listen { host = \"127.0.0.1\", port = 0 }\n"
                + gateConfig("origin { directory = \"site\" }") + "\n}\n");
        try (MapgateJvm mapgate = TestMapgate.jvm().env(env).start("--config", config.toString())) {
            int port = mapgate.awaitPort();
            sendEveryKindOfCredential(new InetSocketAddress("127.0.0.1", port));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (mapgate.output().stream().filter(l -> l.contains("mapgate.access")).count() < EVERY_KIND_OF_CREDENTIAL
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            return mapgate.output();
        }
    }

    // --- shared -------------------------------------------------------------------------------

    /** The gate section: a token by value, one from a file, a Basic user in the config, one in htpasswd. */
    private static String gateConfig(String origin) {
        return origin + "\n"
                + "gate {\n"
                + "  allow-ips = [\"127.0.0.1/32\"]\n"
                + "  token.tokens = [ { name = \"by-value\", value = \"" + TOKEN + "\" },\n"
                + "                   { name = \"from-file\", file = \"" + dir.resolve("sentry-token") + "\" } ]\n"
                + "  basic.users = [ { name = \"alice\", password-hash = \"" + ALICE_HASH + "\" } ]\n"
                + "  basic.htpasswd-file = \"" + dir.resolve("users.htpasswd") + "\"\n"
                + "}";
    }

    private static List<JsonNode> awaitAccessLines(EncodedLogs logs, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<JsonNode> access = logs.jsonLines().stream()
                    .filter(n -> n.path("logger_name").asText().equals("mapgate.access")).toList();
            if (access.size() >= count || System.nanoTime() > deadline) {
                assertThat(access).as("one access line per request").hasSize(count);
                return access;
            }
            Thread.sleep(20);
        }
    }

    private static List<String> credentialsOfAllowed(List<JsonNode> access) {
        Predicate<JsonNode> allowed = n -> n.path("route").asText().equals("gated")
                && n.path("decision").asText().equals("allowed");
        return access.stream().filter(allowed).map(n -> n.path("credential").asText()).toList();
    }

    private static void assertNoSecret(String where, String text) {
        assertThat(text).as("%s was captured", where).isNotBlank();
        FORBIDDEN.forEach((name, form) -> assertThat(text).as("%s must not contain %s", where, name).doesNotContain(form));
    }

    private static Logger logger(String name) {
        return (Logger) LoggerFactory.getLogger(name);
    }

    private static String basic(String user, String password) {
        return "Basic " + base64(user + ":" + password);
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> forbidden() {
        Map<String, String> forms = new LinkedHashMap<>();
        Map<String, String> secrets = Map.of("the token", TOKEN, "the file token", FILE_TOKEN, "alice's password", PASSWORD,
                "bob's password", HTPASSWD_PASSWORD, "the near-miss token", NEAR_TOKEN,
                "the near-miss password", NEAR_PASSWORD);
        secrets.forEach((name, secret) -> {
            String formEncoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
            forms.put(name, secret);
            forms.put(name + ", URL-encoded", formEncoded);
            forms.put(name + ", percent-encoded", formEncoded.replace("+", "%20"));
            forms.put(name + ", in Base64", base64(secret));
        });
        forms.put("alice's Basic credential", ALICE.substring("Basic ".length()));
        forms.put("alice's near-miss Basic credential", ALICE_TYPO.substring("Basic ".length()));
        forms.put("bob's Basic credential", BOB.substring("Basic ".length()));
        forms.put("alice's password hash", ALICE_HASH);
        forms.put("bob's password hash", BOB_HASH);
        return Map.copyOf(forms);
    }
}
