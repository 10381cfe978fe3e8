package dev.mapgate.config;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.gate.Authority;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.ThrottleSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsLoaderTest {

    /** 32 characters or more, so that no test but the ones about it sees the short-token warning. */
    private static final String TOKEN = "s3cret-token-value-42-5f0e8d2c7b19a64e";

    /** A config that loads: a static origin, the loopback allowed and one token. */
    private static final String VALID_GATE = """
            mapgate.origin.directory = "site"
            mapgate.gate.allow-ips = ["127.0.0.1/32"]
            mapgate.gate.token.tokens = [ { name = "sentry", value = "%s" } ]
            """.formatted(TOKEN);

    @TempDir
    Path dir;

    // ---- the shipped example ------------------------------------------------------------------

    @Test
    void theShippedExampleConfigLoadsWithItsDocumentedValues() {
        Settings settings = SettingsLoader.load(Path.of("conf/mapgate.conf"), Map.of());

        assertThat(settings.listen().host()).isEqualTo("127.0.0.1");
        assertThat(settings.listen().port()).isEqualTo(8080);
        assertThat(settings.origin().isProxy()).isFalse();
        assertThat(settings.origin().directory())
                .as("origin.directory is relative to the config file's folder, not the working directory")
                .isEqualTo(Path.of("conf/example-site").toAbsolutePath().normalize())
                .isDirectory();
        assertThat(settings.gate().tokenHeader()).isEqualTo("X-Sentry-Token");
        assertThat(settings.gate().denyStatus()).isEqualTo(404);
        assertThat(settings.gate().hasBasicUsers()).isFalse();

        GatePolicy policy = settings.gate().policy();
        assertThat(policy.decide("/app.js.map", loopback(), "example-token-change-me", null).allowed()).isTrue();
        assertThat(policy.decide("/app.js.map", loopback(), null, null).allowed())
                .as("both ip and credential are required")
                .isFalse();
        assertThat(policy.decide("/app.js.map", address("198.51.100.7"), "example-token-change-me", null).allowed())
                .isFalse();
        assertThat(policy.decide("/app.js", address("198.51.100.7"), null, null).allowed()).isTrue();
        assertThat(settings.warnings())
                .as("the example runs as shipped without a warning: its public token is reachable from loopback only")
                .isEmpty();
    }

    @Test
    void theShippedExampleConfigWarnsAboutItsPublicTokenOnceItListensBeyondLoopback() {
        Settings settings = SettingsLoader.load(Path.of("conf/mapgate.conf"), Map.of("MAPGATE_LISTEN_HOST", "0.0.0.0"));

        assertThat(settings.warnings()).singleElement().asString()
                .startsWith("mapgate.gate.token.tokens[0]: token 'example' is the public example value")
                .contains("listens on 0.0.0.0", "openssl rand -hex 32")
                .as("the value is never repeated").doesNotContain("example-token-change-me");
    }

    @Test
    void theExampleSiteShipsAMinifiedScriptThatPointsAtARealSourceMap() throws IOException {
        Path site = Path.of("conf/example-site");
        List<String> script = Files.readAllLines(site.resolve("app.js"));
        String map = Files.readString(site.resolve("app.js.map"));

        assertThat(script.get(script.size() - 1)).isEqualTo("//# sourceMappingURL=app.js.map");
        assertThat(map).contains("\"version\":3", "\"sources\":[", "\"sourcesContent\":[", "\"names\":[")
                .containsPattern("\"mappings\":\"[A-Za-z0-9+/,;]{20,}\"");
        assertThat(Files.readString(site.resolve("index.html"))).contains("<script src=\"app.js\"></script>");
    }

    // ---- defaults and layering ----------------------------------------------------------------

    @Test
    void keysTheFileLeavesOutTakeTheirDefaultsFromReferenceConf() throws IOException {
        Settings settings = load(VALID_GATE);

        assertThat(settings.listen()).isEqualTo(new ListenSettings("0.0.0.0", 8080, 0, 16384, null,
                ListenSettings.Transport.AUTO));
        assertThat(settings.listenRules()).isEqualTo(new ListenRules(AcceptedHosts.NONE,
                8 * 1024, 16 * 1024, 100, Duration.ofSeconds(10), Duration.ofSeconds(75), Duration.ofSeconds(30),
                Duration.ofSeconds(60), false));
        assertThat(settings.shutdown()).isEqualTo(new ShutdownSettings(Duration.ofSeconds(5), Duration.ofSeconds(20)));
        assertThat(settings.reloadInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.origin().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.origin().responseTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.origin().poolIdleTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(settings.origin().maxConnections()).isEqualTo(1024);
        assertThat(settings.origin().caFile()).isNull();
        assertThat(settings.origin().url()).isNull();
        assertThat(settings.gate().tokenHeader()).isEqualTo("X-Sentry-Token");
        assertThat(settings.gate().realm()).isEqualTo("mapgate");
        assertThat(settings.gate().denyStatus()).isEqualTo(404);
        assertThat(settings.gate().throttle()).isEqualTo(
                new ThrottleSettings(true, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), 65536));
        assertThat(settings.admin()).isEqualTo(
                new AdminSettings("127.0.0.1", 9090, Duration.ofSeconds(5), Duration.ofMinutes(6), 64));
        assertThat(settings.gate().policy().decide("/a/b.js.MAP", loopback(), TOKEN, null).allowed())
                .as("the default gate.paths covers source maps in any folder, case-insensitively, and the default"
                        + " require needs ip and credential")
                .isTrue();
        assertThat(settings.gate().policy().decide("/a/b.js.map", loopback(), null, null).allowed()).isFalse();
    }

    @Test
    void environmentVariablesWinOverTheFile() throws IOException {
        Settings settings = load(VALID_GATE + "mapgate.listen.port = 9000\n",
                Map.of("MAPGATE_LISTEN_PORT", "7000"));

        assertThat(settings.listen().port()).isEqualTo(7000);
    }

    @Test
    void everyDocumentedEnvironmentVariableOverridesItsKey() throws IOException {
        Settings settings = load(VALID_GATE, Map.of(
                "MAPGATE_LISTEN_HOST", "::",
                "MAPGATE_LISTEN_PORT", "8443",
                "MAPGATE_ORIGIN_URL", "https://assets.internal.example/static",
                "MAPGATE_GATE_TOKEN_HEADER", "X-Map-Token",
                "MAPGATE_GATE_DENY_STATUS", "403",
                "MAPGATE_ADMIN_HOST", "0.0.0.0",
                "MAPGATE_ADMIN_PORT", "9999"));

        assertThat(settings.listen().host()).isEqualTo("::");
        assertThat(settings.listen().port()).isEqualTo(8443);
        assertThat(settings.origin().url()).isEqualTo(URI.create("https://assets.internal.example/static"));
        assertThat(settings.gate().tokenHeader()).isEqualTo("X-Map-Token");
        assertThat(settings.gate().denyStatus()).isEqualTo(403);
        assertThat(settings.admin().host()).isEqualTo("0.0.0.0");
        assertThat(settings.admin().port()).isEqualTo(9999);
    }

    @Test
    void anOriginUrlFromTheEnvironmentReplacesTheFilesDirectory() throws IOException {
        Settings settings = load(VALID_GATE + "mapgate.origin.connect-timeout = 2s\n",
                Map.of("MAPGATE_ORIGIN_URL", "http://localhost:3000"));

        assertThat(settings.origin().isProxy()).isTrue();
        assertThat(settings.origin().url()).isEqualTo(URI.create("http://localhost:3000"));
        assertThat(settings.origin().directory())
                .as("an origin from the environment replaces the file's, rather than clashing with it")
                .isNull();
        assertThat(settings.origin().connectTimeout())
                .as("only url/directory are replaced; the file's timeouts still apply")
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void anOriginDirectoryFromTheEnvironmentReplacesTheFilesUrl() throws IOException {
        Files.createDirectories(dir.resolve("other"));
        Settings settings = load(VALID_GATE.replace("mapgate.origin.directory = \"site\"",
                "mapgate.origin.url = \"https://cdn.example\""), Map.of("MAPGATE_ORIGIN_DIRECTORY", "other"));

        assertThat(settings.origin().url()).isNull();
        assertThat(settings.origin().directory()).isEqualTo(dir.resolve("other").toAbsolutePath().normalize());
    }

    @Test
    void unsetOrEmptyEnvironmentVariablesLeaveTheFilesValues() throws IOException {
        Settings settings = load(VALID_GATE + "mapgate.listen.port = 9000\nmapgate.listen.host = \"127.0.0.1\"\n",
                Map.of("MAPGATE_LISTEN_PORT", "", "PATH", "/usr/bin", "MAPGATE_UNRELATED", "x"));

        assertThat(settings.listen().port())
                .as("an empty variable, as templates often produce, counts as unset")
                .isEqualTo(9000);
        assertThat(settings.listen().host()).isEqualTo("127.0.0.1");
        assertThat(settings.origin().directory()).isNotNull();
    }

    @Test
    void theFileMayReadItsOwnEnvironmentVariables() throws IOException {
        String config = VALID_GATE + """
                mapgate.listen.host = "0.0.0.0"
                mapgate.listen.host = ${?BIND_ADDRESS}
                mapgate.admin.port = ${?ADMIN_PORT}
                """;

        assertThat(load(config, Map.of("BIND_ADDRESS", "10.1.2.3")).listen().host()).isEqualTo("10.1.2.3");
        assertThat(load(config, Map.of()).listen().host())
                .as("${?VAR} with VAR unset keeps the previous value")
                .isEqualTo("0.0.0.0");
        assertThat(load(config, Map.of()).admin().port()).isEqualTo(9090);
    }

    @Test
    void sentryRangesConcatenateWithTheOperatorsOwn() throws IOException {
        Settings settings = load(VALID_GATE + """
                mapgate.gate.require = [ip]
                mapgate.gate.allow-ips = ${mapgate.ip-ranges.sentry-us} ["203.0.113.0/24"]
                """);

        GatePolicy policy = settings.gate().policy();
        assertThat(policy.decide("/app.js.map", address("35.184.238.160"), null, null).allowed()).isTrue();
        assertThat(policy.decide("/app.js.map", address("130.211.230.102"), null, null).allowed()).isTrue();
        assertThat(policy.decide("/app.js.map", address("203.0.113.77"), null, null).allowed()).isTrue();
        assertThat(policy.decide("/app.js.map", address("127.0.0.1"), null, null).allowed())
                .as("the file's earlier allow-ips is replaced, not merged")
                .isFalse();
    }

    @Test
    void operatorsMayNameTheirOwnIpRanges() throws IOException {
        Settings settings = load(VALID_GATE + """
                mapgate.ip-ranges.office = ["198.51.100.0/24"]
                mapgate.gate.require = [ip]
                mapgate.gate.allow-ips = ${mapgate.ip-ranges.office}
                """);

        assertThat(settings.gate().policy().decide("/x.map", address("198.51.100.9"), null, null).allowed()).isTrue();
    }

    @Test
    void aTokenFileIsReadWithItsTrailingNewlinesTrimmed() throws IOException {
        Files.writeString(dir.resolve("token.txt"), "from-a-file-token\r\n\n");
        Settings settings = load(VALID_GATE.replace("value = \"" + TOKEN + "\"", "file = \"token.txt\""));

        GatePolicy policy = settings.gate().policy();
        assertThat(policy.decide("/app.js.map", loopback(), "from-a-file-token", null).allowed()).isTrue();
        assertThat(policy.decide("/app.js.map", loopback(), "from-a-file-token\n", null).allowed()).isFalse();
    }

    @Test
    void relativePathsResolveAgainstTheConfigFilesFolder() throws IOException {
        Path confDir = Files.createDirectories(dir.resolve("etc/mapgate"));
        Path site = Files.createDirectories(dir.resolve("srv/site"));
        Files.createDirectories(confDir.resolve("secrets"));
        Files.writeString(confDir.resolve("secrets/token"), "relative-token\n");
        String hash = BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
        Files.writeString(confDir.resolve("users.htpasswd"), "alice:" + hash + "\n");
        Path config = confDir.resolve("mapgate.conf");
        Files.writeString(config, """
                mapgate.origin.directory = "../../srv/site"
                mapgate.gate.allow-ips = ["127.0.0.1"]
                mapgate.gate.token.tokens = [ { name = "t", file = "secrets/token" } ]
                mapgate.gate.basic.htpasswd-file = "users.htpasswd"
                """);

        Settings settings = SettingsLoader.load(config, Map.of());

        assertThat(settings.origin().directory()).isEqualTo(site.toAbsolutePath().normalize());
        assertThat(settings.gate().hasBasicUsers()).isTrue();
        assertThat(settings.gate().policy().decide("/a.map", loopback(), "relative-token", null).allowed()).isTrue();
        assertThat(settings.gate().policy().decide("/a.map", loopback(), null, basic("alice", "pw")).allowed())
                .isTrue();
    }

    @Test
    void basicUsersFromTheConfigAndAnHtpasswdFileAreBothAccepted() throws IOException {
        String hash = BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
        Files.writeString(dir.resolve("users"), "# ops\nbob:" + hash + "\n");
        Settings settings = load(VALID_GATE + """
                mapgate.gate.basic.users = [ { name = "alice", password-hash = "%s" } ]
                mapgate.gate.basic.htpasswd-file = "users"
                mapgate.gate.deny-status = 401
                """.formatted(hash));

        assertThat(settings.gate().hasBasicUsers()).isTrue();
        assertThat(settings.gate().denyStatus()).isEqualTo(401);
        GatePolicy policy = settings.gate().policy();
        assertThat(policy.decide("/a.map", loopback(), null, basic("alice", "pw")).allowed()).isTrue();
        assertThat(policy.decide("/a.map", loopback(), null, basic("bob", "pw")).allowed()).isTrue();
        assertThat(policy.decide("/a.map", loopback(), null, basic("bob", "wrong")).allowed()).isFalse();
    }

    @Test
    void anHttpsOriginWithAnInternalCaLoads() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), TEST_CA);
        Settings settings = load(VALID_GATE.replace("mapgate.origin.directory = \"site\"", """
                mapgate.origin.url = "https://assets.internal.example:8443/prefix/"
                mapgate.origin.tls.ca-file = "ca.pem"
                """));

        assertThat(settings.origin().url()).isEqualTo(URI.create("https://assets.internal.example:8443/prefix/"));
        assertThat(settings.origin().caFile()).isEqualTo(dir.resolve("ca.pem").toAbsolutePath().normalize());
    }

    @Test
    void aGateThatCanAllowNothingLoadsWithTheGatePoliciesWarning() throws IOException {
        Settings settings = load(VALID_GATE + "mapgate.gate.allow-ips = []\n");

        assertThat(settings.warnings())
                .as("a gate that denies everything is safe, so it is a warning, not a ConfigProblem")
                .isEqualTo(GateWarnings.render(settings.gate().policy().warnings()))
                .singleElement().asString().contains("allow-ips");
        assertThat(load(VALID_GATE).warnings()).isEmpty();
    }

    // ---- problems -----------------------------------------------------------------------------

    @Test
    void anUnknownKeyIsRejectedWithASuggestion() {
        assertThat(problem(VALID_GATE + "mapgate.listen.prot = 80\n"))
                .startsWith("mapgate.listen.prot: unknown key")
                .contains("did you mean port?");
    }

    @Test
    void anUnknownKeyIsRejectedAtEveryLevel() {
        assertThat(problem(VALID_GATE + "mapgate.listn.port = 80\n")).startsWith("mapgate.listn: unknown key");
        assertThat(problem(VALID_GATE + "mapgate.origin.tls.trust-certs = \"x\"\n"))
                .startsWith("mapgate.origin.tls.trust-certs: unknown key");
        assertThat(problem(VALID_GATE.replace("value =", "vaule =")))
                .as("list elements of tokens accept only name, value and file")
                .startsWith("mapgate.gate.token.tokens[0].vaule: unknown key")
                .contains("did you mean value?");
        assertThat(problem(VALID_GATE + "mapgate.gate.basic.users = [ { name = a, password = b } ]\n"))
                .startsWith("mapgate.gate.basic.users[0].password: unknown key");
    }

    @Test
    void aKeyWhoseDefaultIsNullIsStillAKnownKey() throws IOException {
        Settings settings = load(VALID_GATE + "mapgate.origin.url = null\nmapgate.gate.basic.htpasswd-file = null\n");

        assertThat(settings.origin().url()).isNull();
    }

    @Test
    void keysOutsideMapgateAreLeftAloneSoTheyCanHoldSharedValues() throws IOException {
        Settings settings = load("""
                my-ranges = ["127.0.0.0/8"]
                """ + VALID_GATE + "mapgate.gate.allow-ips = ${my-ranges}\n");

        assertThat(settings.gate().policy().decide("/x.map", address("127.0.0.2"), TOKEN, null).allowed()).isTrue();
    }

    @Test
    void aValueOfTheWrongTypeNamesTheKeyAndTheLine() {
        String message = problem(VALID_GATE + "mapgate.listen.port = eighty\n");

        assertThat(message).startsWith("mapgate.listen.port: expected a whole number, got a string")
                .contains("mapgate.conf: 4");
        assertThat(problem(VALID_GATE + "mapgate = 5\n")).startsWith("mapgate: expected an object");
        assertThat(problem(VALID_GATE + "mapgate.listen = 8080\n"))
                .startsWith("mapgate.listen: expected an object");
        assertThat(problem(VALID_GATE + "mapgate.gate.paths = \"**/*.map\"\n"))
                .startsWith("mapgate.gate.paths: expected a list");
        assertThat(problem(VALID_GATE + "mapgate.listen.idle-timeout = 1 fortnight\n"))
                .startsWith("mapgate.listen.idle-timeout: is not a duration");
        assertThat(problem(VALID_GATE + "mapgate.listen.port = 80.5\n"))
                .startsWith("mapgate.listen.port: 80.5 is not a whole number");
    }

    @Test
    void aPortOutOfRangeIsRejected() {
        assertThat(problem(VALID_GATE + "mapgate.listen.port = 70000\n"))
                .isEqualTo("mapgate.listen.port: 70000 is out of range 0-65535");
        assertThat(problem(VALID_GATE + "mapgate.admin.port = -1\n"))
                .isEqualTo("mapgate.admin.port: -1 is out of range 0-65535");
        assertThat(problem(VALID_GATE, Map.of("MAPGATE_LISTEN_PORT", "70000")))
                .as("a bad value from the environment names the variable, since the file does not show it")
                .isEqualTo("mapgate.listen.port: 70000 is out of range 0-65535 (from MAPGATE_LISTEN_PORT)");
    }

    @Test
    void theOriginConnectionCapIsAWholeNumberAndLeavesEveryEventLoopOne() throws Exception {
        assertThat(problem(VALID_GATE + "mapgate.origin.max-connections = 0\n"))
                .isEqualTo("mapgate.origin.max-connections: 0 is out of range 1-1000000");
        assertThat(problem(VALID_GATE + "mapgate.origin.max-connections = many\n"))
                .startsWith("mapgate.origin.max-connections: ");
        assertThat(problem(VALID_GATE + "mapgate.listen.io-threads = 4\nmapgate.origin.max-connections = 3\n"))
                .isEqualTo("mapgate.origin.max-connections: 3 is fewer than the 4 event loops of"
                        + " mapgate.listen.io-threads; each needs at least one");
        assertThat(load(VALID_GATE + "mapgate.listen.io-threads = 4\nmapgate.origin.max-connections = 4\n")
                .origin().maxConnections()).isEqualTo(4);
    }

    @Test
    void nonPositiveDurationsSizesAndThreadCountsAreRejected() {
        assertThat(problem(VALID_GATE + "mapgate.listen.io-threads = -1\n"))
                .startsWith("mapgate.listen.io-threads: -1 is out of range");
        assertThat(problem(VALID_GATE + "mapgate.origin.connect-timeout = 0s\n"))
                .startsWith("mapgate.origin.connect-timeout: ");
        assertThat(problem(VALID_GATE + "mapgate.listen.max-header-size = 0\n"))
                .startsWith("mapgate.listen.max-header-size: ");
        assertThat(problem(VALID_GATE + "mapgate.listen.max-initial-line-length = 4GiB\n"))
                .startsWith("mapgate.listen.max-initial-line-length: ")
                .contains("too large");
    }

    @Test
    void theAdminListenersLimitsAreReadAndABadOneIsRejectedNamingItsKey() throws IOException {
        Settings settings = load(VALID_GATE + "mapgate.admin { header-timeout = 2s, idle-timeout = 10m,"
                + " max-connections = 16 }\n");

        assertThat(settings.admin().headerTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.admin().idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.admin().maxConnections()).isEqualTo(16);
        assertThat(problem(VALID_GATE + "mapgate.admin.header-timeout = 0s\n"))
                .isEqualTo("mapgate.admin.header-timeout: 0ms must be greater than zero");
        assertThat(problem(VALID_GATE + "mapgate.admin.idle-timeout = 400d\n"))
                .isEqualTo("mapgate.admin.idle-timeout: 34560000000ms is more than 365d");
        assertThat(problem(VALID_GATE + "mapgate.admin.idle-timeout = soon\n"))
                .startsWith("mapgate.admin.idle-timeout: is not a duration");
        assertThat(problem(VALID_GATE + "mapgate.admin.max-connections = 0\n"))
                .isEqualTo("mapgate.admin.max-connections: 0 is out of range 1-2147483647");
        assertThat(problem(VALID_GATE + "mapgate.admin.max-conections = 10\n"))
                .isEqualTo("mapgate.admin.max-conections: unknown key; did you mean max-connections?");
    }

    @Test
    void everyListenLimitAndTimeoutRejectsABadValueNamingItsKey() {
        assertThat(problem(VALID_GATE + "mapgate.listen.max-header-count = 0\n"))
                .isEqualTo("mapgate.listen.max-header-count: 0 is out of range 1-2147483647");
        assertThat(problem(VALID_GATE + "mapgate.listen.max-header-count = many\n"))
                .startsWith("mapgate.listen.max-header-count: expected a whole number, got a string");
        assertThat(problem(VALID_GATE + "mapgate.listen.max-connections = 0\n"))
                .isEqualTo("mapgate.listen.max-connections: 0 is out of range 1-2147483647");
        assertThat(problem(VALID_GATE + "mapgate.listen.header-timeout = 0s\n"))
                .isEqualTo("mapgate.listen.header-timeout: 0ms must be greater than zero");
        assertThat(problem(VALID_GATE + "mapgate.listen.keep-alive-timeout = soon\n"))
                .startsWith("mapgate.listen.keep-alive-timeout: is not a duration");
        assertThat(problem(VALID_GATE + "mapgate.listen.body-timeout = -5s\n"))
                .isEqualTo("mapgate.listen.body-timeout: -5000ms must be greater than zero");
        assertThat(problem(VALID_GATE + "mapgate.listen.idle-timeout = 0\n"))
                .isEqualTo("mapgate.listen.idle-timeout: 0ms must be greater than zero");
    }

    @Test
    void aMisspeltNewListenKeyIsRejectedWithASuggestion() {
        assertThat(problem(VALID_GATE + "mapgate.listen.keep-alive-timout = 5s\n"))
                .isEqualTo("mapgate.listen.keep-alive-timout: unknown key; did you mean keep-alive-timeout?");
        assertThat(problem(VALID_GATE + "mapgate.listen.max-conections = 5\n"))
                .isEqualTo("mapgate.listen.max-conections: unknown key; did you mean max-connections?");
    }

    @Test
    void acceptedHostsAreParsedAndABadOneIsNamedByItsIndex() throws IOException {
        AcceptedHosts hosts = load(VALID_GATE + "mapgate.listen.hosts = [\"Assets.Example.com\", \"cdn.example:8443\"]\n")
                .listenRules().hosts();
        assertThat(hosts.accepts(Authority.parse("assets.example.com:80"))).as("no port: any port").isTrue();
        assertThat(hosts.accepts(Authority.parse("cdn.example:8443"))).isTrue();
        assertThat(hosts.accepts(Authority.parse("cdn.example:443"))).isFalse();

        assertThat(problem(VALID_GATE + "mapgate.listen.hosts = [\"ok.example\", \"bad host\"]\n"))
                .startsWith("mapgate.listen.hosts[1]: ")
                .contains("bad host");
        assertThat(problem(VALID_GATE + "mapgate.listen.hosts = \"ok.example\"\n"))
                .startsWith("mapgate.listen.hosts: expected a list");
    }

    @Test
    void bothOriginUrlAndDirectoryAreRejectedNamingBoth() {
        assertThat(problem(VALID_GATE + "mapgate.origin.url = \"http://localhost:3000\"\n"))
                .startsWith("mapgate.origin: ")
                .contains("mapgate.origin.url", "mapgate.origin.directory", "both are set");
    }

    @Test
    void neitherOriginUrlNorDirectoryIsRejectedNamingBoth() {
        assertThat(problem(VALID_GATE.replace("mapgate.origin.directory = \"site\"", "")))
                .startsWith("mapgate.origin: ")
                .contains("mapgate.origin.url", "mapgate.origin.directory", "neither is set");
    }

    @Test
    void anOriginUrlMustBeAPlainHttpOrHttpsBaseUrl() {
        String base = VALID_GATE.replace("mapgate.origin.directory = \"site\"", "");
        assertThat(problem(base + "mapgate.origin.url = \"ftp://files.example\"\n"))
                .startsWith("mapgate.origin.url: must start with http:// or https://");
        assertThat(problem(base + "mapgate.origin.url = \"https://cdn.example/?v=1\"\n"))
                .startsWith("mapgate.origin.url: must not have a query");
        assertThat(problem(base + "mapgate.origin.url = \"https:///path\"\n"))
                .startsWith("mapgate.origin.url: has no host");
        assertThat(problem(base + "mapgate.origin.url = \"https://admin:hunter2@cdn.example\"\n"))
                .as("the URL is not echoed: its user info may hold a password")
                .startsWith("mapgate.origin.url: must not contain user:password@")
                .doesNotContain("hunter2");
    }

    @Test
    void aMissingOriginDirectoryOrTrustFileIsRejected() {
        assertThat(problem(VALID_GATE.replace("\"site\"", "\"nowhere\"")))
                .isEqualTo("mapgate.origin.directory: " + dir.resolve("nowhere") + " does not exist");
        assertThat(problem(VALID_GATE + "mapgate.origin.tls.ca-file = \"ca.pem\"\n"))
                .startsWith("mapgate.origin.tls.ca-file: " + dir.resolve("ca.pem") + " does not exist");
    }

    @Test
    void aCidrWithHostBitsNamesItsIndex() {
        assertThat(problem(VALID_GATE + "mapgate.gate.allow-ips = [\"127.0.0.1/32\", \"::1\", \"10.0.0.1/8\"]\n"))
                .startsWith("mapgate.gate.allow-ips[2]: ")
                .contains("10.0.0.1/8")
                .doesNotContain("gate.allow-ips: ");
    }

    @Test
    void aBadCidrInsideConcatenatedRangesNamesItsPositionInTheResultingList() {
        assertThat(problem(VALID_GATE + "mapgate.gate.allow-ips = ${mapgate.ip-ranges.sentry-eu} [\"300.1.1.1\"]\n"))
                .as("sentry-eu has three entries, so the operator's entry is the fourth")
                .startsWith("mapgate.gate.allow-ips[3]: ");
    }

    @Test
    void aBadPathGlobNamesItsIndex() {
        assertThat(problem(VALID_GATE + "mapgate.gate.paths = [\"**/*.map\", \" \"]\n"))
                .startsWith("mapgate.gate.paths[1]: ");
        assertThat(problem(VALID_GATE + "mapgate.gate.paths = []\n"))
                .as("an empty list would gate nothing")
                .startsWith("mapgate.gate.paths: ");
    }

    @Test
    void anEmptyRequireIsRejected() {
        assertThat(problem(VALID_GATE + "mapgate.gate.require = []\n"))
                .startsWith("mapgate.gate.require: must not be empty");
    }

    @Test
    void anUnknownOrRepeatedRequireValueIsRejected() {
        assertThat(problem(VALID_GATE + "mapgate.gate.require = [ip, password]\n"))
                .startsWith("mapgate.gate.require[1]: \"password\" is not one of ip, credential");
        assertThat(problem(VALID_GATE + "mapgate.gate.require = [ip, ip]\n"))
                .startsWith("mapgate.gate.require[1]: \"ip\" is listed twice");
    }

    @Test
    void aDenyStatusOtherThan404Or401Or403IsRejected() {
        assertThat(problem(VALID_GATE + "mapgate.gate.deny-status = 500\n"))
                .startsWith("mapgate.gate.deny-status: 500 is not one of");
    }

    @Test
    void throttleSettingsAreReadFromTheFile() throws IOException {
        Settings settings = load(VALID_GATE + """
                mapgate.gate.throttle {
                  enabled = off
                  max-failures = 1
                  window = 30s
                  cool-down = 365d
                  max-tracked = 16777216
                }
                """);

        assertThat(settings.gate().throttle()).isEqualTo(
                new ThrottleSettings(false, 1, Duration.ofSeconds(30), Duration.ofDays(365), 16_777_216));
        assertThat(settings.gate().toString()).as("the startup log shows the limits")
                .contains("throttle=ThrottleSettings[enabled=false, maxFailures=1");
    }

    @Test
    void everyThrottleKeyRejectsABadValueNamingItsKey() {
        String p = VALID_GATE + "mapgate.gate.throttle.";
        assertThat(problem(p + "enabled = sometimes\n"))
                .startsWith("mapgate.gate.throttle.enabled: expected on or off (or true or false), got a string");
        assertThat(problem(p + "max-failures = 0\n"))
                .isEqualTo("mapgate.gate.throttle.max-failures: 0 is out of range 1-2147483647");
        assertThat(problem(p + "window = 0s\n"))
                .isEqualTo("mapgate.gate.throttle.window: 0ms must be greater than zero");
        assertThat(problem(p + "window = 366d\n"))
                .as("nanoTime arithmetic must not overflow")
                .isEqualTo("mapgate.gate.throttle.window: 31622400000ms is more than 365d");
        assertThat(problem(p + "cool-down = -1m\n"))
                .isEqualTo("mapgate.gate.throttle.cool-down: -60000ms must be greater than zero");
        assertThat(problem(p + "cool-down = later\n"))
                .startsWith("mapgate.gate.throttle.cool-down: is not a duration");
        assertThat(problem(p + "max-tracked = 0\n"))
                .isEqualTo("mapgate.gate.throttle.max-tracked: 0 is out of range 1-16777216");
        assertThat(problem(p + "max-tracked = 16777217\n"))
                .as("memory is reserved for every slot's entry once the table fills")
                .isEqualTo("mapgate.gate.throttle.max-tracked: 16777217 is out of range 1-16777216");
        assertThat(problem(p + "max-failure = 5\n"))
                .isEqualTo("mapgate.gate.throttle.max-failure: unknown key; did you mean max-failures?");
    }

    @Test
    void aBadTokenHeaderOrRealmIsRejected() {
        assertThat(problem(VALID_GATE + "mapgate.gate.token.header = \"X Sentry Token\"\n"))
                .startsWith("mapgate.gate.token.header: ");
        assertThat(problem(VALID_GATE + "mapgate.gate.basic.realm = \"say \\\"hi\\\"\"\n"))
                .startsWith("mapgate.gate.basic.realm: ");
        assertThat(problem(VALID_GATE + "mapgate.gate.basic.realm = \"\"\n"))
                .startsWith("mapgate.gate.basic.realm: must not be empty");
    }

    @Test
    void aTokenNeedsANameAndExactlyOneOfValueAndFile() {
        assertThat(problem(VALID_GATE + "mapgate.gate.token.tokens = [ { value = \"" + TOKEN + "\" } ]\n"))
                .startsWith("mapgate.gate.token.tokens[0].name: must be set");
        assertThat(problem(VALID_GATE + "mapgate.gate.token.tokens = [ { name = a } ]\n"))
                .startsWith("mapgate.gate.token.tokens[0]: set exactly one of value and file; neither");
        assertThat(problem(VALID_GATE + "mapgate.gate.token.tokens = [ { name = a, value = x, file = y } ]\n"))
                .startsWith("mapgate.gate.token.tokens[0]: set exactly one of value and file; both");
        assertThat(problem(VALID_GATE + "mapgate.gate.token.tokens = [ \"" + TOKEN + "\" ]\n"))
                .startsWith("mapgate.gate.token.tokens[0]: expected an object");
    }

    @Test
    void twoTokensWithTheSameNameAreRejected() {
        assertThat(problem(VALID_GATE + "mapgate.gate.token.tokens = [ { name = a, value = x1 }, { name = a, value = x2 } ]\n"))
                .startsWith("mapgate.gate.token.tokens: ")
                .contains("'a'");
    }

    // ---- revoking a token by its file ----------------------------------------------------------

    /** Two tokens from files beside the config; the config loads whatever the files hold. */
    private static final String TWO_TOKEN_FILES = """
            mapgate.origin.directory = "site"
            mapgate.gate.allow-ips = ["127.0.0.1/32"]
            mapgate.gate.token.tokens = [ { name = "sentry", file = "sentry-token" }, { name = "backup", file = "backup-token" } ]
            """;
    private static final String SENTRY = "sentry-7d1e04b5c2a94f3e8b6d0c1a2f3e4d5c";
    private static final String BACKUP = "backup-3c9f1e7a5b2d48c0a1f6e9d8c7b6a504";

    @Test
    void aDeletedTokenFileLoadsWithThatTokenRevokedAndTheOtherInForce() throws IOException {
        Files.writeString(dir.resolve("backup-token"), BACKUP + "\n");

        Settings settings = load(TWO_TOKEN_FILES);

        assertThat(settings.gate().revokedTokens()).as("revoked, with where it is configured and why")
                .containsExactly(new RevokedToken("sentry", "mapgate.gate.token.tokens[0]", dir.resolve("sentry-token"),
                        RevokedToken.Cause.DELETED));
        assertThat(settings.gate().policy().credentials().tokenNames()).containsExactly("backup");
        assertThat(settings.gate().policy().decide("/a.map", loopback(), BACKUP, null).allowed()).isTrue();
        assertThat(settings.sources()).as("the missing file is still watched, so its return is noticed")
                .contains(dir.resolve("sentry-token"), dir.resolve("backup-token"));
        assertThat(settings.warnings()).as("a revocation is reported by its own event, not as a config warning")
                .isEmpty();
        assertThat(settings.gate().revokedTokens().get(0).warning())
                .isEqualTo("mapgate.gate.token.tokens[0].file: token 'sentry' is revoked: " + dir.resolve("sentry-token")
                        + " does not exist; requests carrying it are denied until the file holds a token again");
    }

    @Test
    void aTokenFileInAFolderThatDoesNotExistCountsAsDeleted() throws IOException {
        Files.writeString(dir.resolve("backup-token"), BACKUP + "\n");

        Settings settings = load(TWO_TOKEN_FILES.replace("\"sentry-token\"", "\"gone/sentry-token\""));

        assertThat(settings.gate().revokedTokens()).singleElement()
                .extracting(RevokedToken::cause).isEqualTo(RevokedToken.Cause.DELETED);
    }

    @Test
    void aTokenFileOfOnlyWhitespaceAndLineEndsRevokesThatToken() throws IOException {
        Files.writeString(dir.resolve("sentry-token"), "  \r\n\t\n");
        Files.writeString(dir.resolve("backup-token"), BACKUP + "\n");

        Settings settings = load(TWO_TOKEN_FILES);

        assertThat(settings.gate().revokedTokens()).singleElement().satisfies(revoked -> {
            assertThat(revoked.name()).isEqualTo("sentry");
            assertThat(revoked.cause()).isEqualTo(RevokedToken.Cause.EMPTY);
        });
        assertThat(settings.gate().policy().credentials().tokenNames()).containsExactly("backup");
    }

    @Test
    void everyTokenFileGoneLoadsAGateThatDeniesEveryGatedRequest() throws IOException {
        Settings settings = load(TWO_TOKEN_FILES);

        assertThat(settings.gate().revokedTokens()).extracting(RevokedToken::name).containsExactly("sentry", "backup");
        assertThat(settings.gate().policy().decide("/a.map", loopback(), SENTRY, null).allowed())
                .as("fails closed").isFalse();
        assertThat(settings.warnings()).singleElement().asString()
                .as("the gate's own warning that nothing can be allowed").contains("no gated request can be allowed");
    }

    @Test
    void aTokenFileThatCannotBeReadForAnotherReasonStopsTheLoadNamingTheKey() throws IOException {
        Files.createDirectory(dir.resolve("sentry-token"));
        Files.writeString(dir.resolve("backup-token"), BACKUP + "\n");

        assertThat(problem(TWO_TOKEN_FILES)).as("a directory is no revocation: mapgate cannot tell what was meant")
                .isEqualTo("mapgate.gate.token.tokens[0].file: " + dir.resolve("sentry-token")
                        + " cannot be read (Is a directory)");
    }

    @Test
    void anUnreadableTokenFileStopsTheLoadUnlessRunningAsRoot() throws IOException {
        Path file = Files.writeString(dir.resolve("sentry-token"), SENTRY + "\n");
        Files.writeString(dir.resolve("backup-token"), BACKUP + "\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(file), "root reads any file");

        assertThat(problem(TWO_TOKEN_FILES)).isEqualTo("mapgate.gate.token.tokens[0].file: " + file
                + " cannot be read (AccessDeniedException)");
    }

    @Test
    void aRevokedTokensNameStillCountsForDuplicates() throws IOException {
        Files.writeString(dir.resolve("backup-token"), BACKUP + "\n");

        assertThat(problem(TWO_TOKEN_FILES.replace("name = \"backup\"", "name = \"sentry\"")))
                .as("a config is valid or not whichever files exist")
                .isEqualTo("mapgate.gate.token.tokens: token name 'sentry' is used twice");
    }

    @Test
    void aTokenValueInTheConfigIsNeverRevokedAnEmptyOneIsAProblem() {
        assertThat(problem(VALID_GATE.replace("value = \"" + TOKEN + "\"", "value = \"  \"")))
                .startsWith("mapgate.gate.token.tokens[0].value: ");
    }

    // ---- weak tokens --------------------------------------------------------------------------

    @Test
    void aShortTokenWarnsByNameAndSaysHowToMakeALongerOneWithoutShowingIt() throws IOException {
        Files.writeString(dir.resolve("sentry-token"), "short-but-secret\n");
        Files.writeString(dir.resolve("backup-token"), BACKUP + "\n");

        Settings settings = load(TWO_TOKEN_FILES);

        assertThat(settings.warnings()).singleElement().asString()
                .isEqualTo("mapgate.gate.token.tokens[0]: token 'sentry' is shorter than 32 characters, which makes it"
                        + " easier to guess; make one with `openssl rand -hex 32` and give Sentry the same value");
        assertThat(String.join("\n", settings.warnings())).doesNotContain("short-but-secret");
    }

    @Test
    void kubernetesPlaceholderWarnsAsPublicOnAPublicListenerAndNotAsShort() throws IOException {
        Files.writeString(dir.resolve("sentry-token"), "REPLACE-ME-this-placeholder-is-public\n");
        Files.writeString(dir.resolve("backup-token"), BACKUP + "\n");

        assertThat(load(TWO_TOKEN_FILES).warnings()).singleElement().asString()
                .startsWith("mapgate.gate.token.tokens[0]: token 'sentry' is the public example value")
                .doesNotContain("REPLACE-ME");
        assertThat(load(TWO_TOKEN_FILES + "mapgate.listen.host = \"::1\"\n").warnings())
                .as("harmless where only this machine can connect").isEmpty();
    }

    @Test
    void aBadBcryptHashIsRejectedWithoutEchoingIt() {
        String hash = "$2y$04$notAValidBcryptHashAtAll";
        String message = problem(VALID_GATE + "mapgate.gate.basic.users = [ { name = alice, password-hash = \""
                + hash + "\" } ]\n");

        assertThat(message).startsWith("mapgate.gate.basic.users[0].password-hash: ")
                .contains("alice")
                .doesNotContain(hash);
    }

    @Test
    void aNonBcryptHtpasswdLineIsRejectedNamingTheFileAndLine() throws IOException {
        String goodHash = BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
        Files.writeString(dir.resolve("users.htpasswd"),
                "alice:" + goodHash + "\nbob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n");

        String message = problem(VALID_GATE + "mapgate.gate.basic.htpasswd-file = \"users.htpasswd\"\n");

        assertThat(message).startsWith("mapgate.gate.basic.htpasswd-file: ")
                .contains(dir.resolve("users.htpasswd").toString(), "line 2", "bob")
                .doesNotContain("W6ph5Mm5Pz8GgiULbPgzG37mj9g", goodHash);
    }

    @Test
    void aMissingConfigFileSaysWhereARelativePathWasLookedFor() {
        Path missing = dir.resolve("absent.conf");
        Path relative = Path.of("absent-" + dir.getFileName() + ".conf");

        assertThatThrownBy(() -> SettingsLoader.load(missing, Map.of()))
                .as("the command's line names the path as given; the loader's part says what is wrong with it")
                .isInstanceOf(ConfigProblem.class)
                .hasMessage("the file does not exist");
        assertThatThrownBy(() -> SettingsLoader.load(relative, Map.of()))
                .isInstanceOf(ConfigProblem.class)
                .hasMessage("the file does not exist (looked for " + relative.toAbsolutePath() + ")");
    }

    @Test
    void aSyntaxErrorNamesTheFileAndLineOnOneLine() {
        String message = problem(VALID_GATE + "mapgate.listen {\n port = 80\n");

        assertThat(message).contains("mapgate.conf").doesNotContain("\n");
    }

    @Test
    void aRequiredSubstitutionThatIsMissingIsReported() {
        assertThat(problem(VALID_GATE + "mapgate.listen.host = ${BIND_ADDRESS}\n"))
                .contains("BIND_ADDRESS");
    }

    @Test
    void jvmSystemPropertiesDoNotChangeTheConfig() throws IOException {
        String previous = System.setProperty("mapgate.listen.port", "1234");
        try {
            assertThat(load(VALID_GATE).listen().port()).isEqualTo(8080);
        } finally {
            if (previous == null) {
                System.clearProperty("mapgate.listen.port");
            } else {
                System.setProperty("mapgate.listen.port", previous);
            }
        }
    }

    // ---- secrets ------------------------------------------------------------------------------

    @Test
    void aTokenValueNeverAppearsInAProblemMessage() throws IOException {
        Files.writeString(dir.resolve("token-file"), TOKEN + "\n");
        List<String> configs = List.of(
                VALID_GATE + "mapgate.gate.deny-status = 500\n",
                VALID_GATE + "mapgate.listen.prot = 1\n",
                VALID_GATE.replace("name = \"sentry\", ", ""),
                VALID_GATE.replace("name = \"sentry\"", "name = \" \""),
                VALID_GATE.replace("value = \"" + TOKEN + "\"", "value = \"" + TOKEN + "\", extra = 1"),
                VALID_GATE.replace("value = \"" + TOKEN + "\"", "value = { v = \"" + TOKEN + "\" }"),
                VALID_GATE + "mapgate.gate.token.tokens = [ { name = a, value = \"" + TOKEN + "\" },"
                        + " { name = a, file = token-file } ]\n",
                VALID_GATE + "mapgate.gate.token.tokens = [ \"" + TOKEN + "\" ]\n");

        List<String> messages = new ArrayList<>();
        for (String config : configs) {
            messages.add(problem(config));
        }

        assertThat(messages).allSatisfy(message -> assertThat(message).doesNotContain(TOKEN));
    }

    @Test
    void settingsToStringShowsNoSecret() throws IOException {
        String hash = BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
        Settings settings = load(VALID_GATE
                + "mapgate.gate.basic.users = [ { name = alice, password-hash = \"" + hash + "\" } ]\n");

        assertThat(settings.toString()).contains("X-Sentry-Token", "8080").doesNotContain(TOKEN, hash);
        assertThat(settings.gate().toString()).doesNotContain(TOKEN, hash);
    }

    // ---- helpers ------------------------------------------------------------------------------

    // ---- behind a CDN or load balancer, and TLS ---------------------------------------------

    @Test
    void byDefaultNoProxyIsTrustedAndThePeerIsTheClient() throws IOException {
        Settings settings = load(VALID_GATE);

        assertThat(settings.clientIp().trustedProxies().isEmpty()).isTrue();
        assertThat(settings.clientIp().header()).isEqualTo("X-Forwarded-For");
        assertThat(settings.listenRules().proxyProtocol()).isFalse();
        assertThat(settings.listen().tls()).as("plain HTTP unless both files are set").isNull();
        assertThat(settings.origin().insecure()).isFalse();
    }

    @Test
    void trustedProxiesMayReuseANamedRangeAndTheHeaderMayComeFromTheEnvironment() throws IOException {
        Settings settings = load(VALID_GATE + """
                mapgate.ip-ranges.edge = ["198.51.100.0/24"]
                mapgate.client-ip.trusted-proxies = ${mapgate.ip-ranges.edge} ["10.0.0.0/8"]
                """, Map.of("MAPGATE_CLIENT_IP_HEADER", "CF-Connecting-IP"));

        assertThat(settings.clientIp().trusts(address("198.51.100.20"))).isTrue();
        assertThat(settings.clientIp().trusts(address("10.1.2.3"))).isTrue();
        assertThat(settings.clientIp().trusts(address("203.0.113.7"))).isFalse();
        assertThat(settings.clientIp().header()).isEqualTo("CF-Connecting-IP");
    }

    @Test
    void aBadTrustedProxyEntryOrHeaderNameIsNamedByItsKey() {
        assertThat(problem(VALID_GATE + "mapgate.client-ip.trusted-proxies = [\"10.0.0.0/8\", \"lb.internal\"]\n"))
                .startsWith("mapgate.client-ip.trusted-proxies[1]: ")
                .contains("lb.internal");
        assertThat(problem(VALID_GATE + "mapgate.client-ip.trusted-proxies = [\"10.0.0.0/8\", \"::/0\"]\n"))
                .startsWith("mapgate.client-ip.trusted-proxies[1]: '::/0' trusts every address");
        assertThat(problem(VALID_GATE + "mapgate.client-ip.header = \"X Forwarded For\"\n"))
                .startsWith("mapgate.client-ip.header: ");
        assertThat(problem(VALID_GATE + "mapgate.client-ip.header = \"x-sentry-token\"\n"))
                .startsWith("mapgate.client-ip.header: \"x-sentry-token\" is the token header");
    }

    @Test
    void proxyProtocolIsOnOrOffAndOnWithoutTrustedPeersWarns() throws IOException {
        assertThat(load(VALID_GATE + "mapgate.listen.proxy-protocol = on\n").listenRules().proxyProtocol()).isTrue();
        assertThat(load(VALID_GATE + "mapgate.listen.proxy-protocol = on\n").warnings())
                .anySatisfy(w -> assertThat(w).contains("proxy-protocol", "trusted-proxies"));
        assertThat(load(VALID_GATE, Map.of("MAPGATE_LISTEN_PROXY_PROTOCOL", "on")).listenRules().proxyProtocol()).isTrue();
        assertThat(problem(VALID_GATE + "mapgate.listen.proxy-protocol = v2\n"))
                .startsWith("mapgate.listen.proxy-protocol: ");
    }

    @Test
    void tlsNeedsBothFilesAndSaysWhichIsMissing() {
        assertThat(problem(VALID_GATE + "mapgate.listen.tls.certificate-chain = \"tls.crt\"\n"))
                .startsWith("mapgate.listen.tls.private-key: is not set");
        assertThat(problem(VALID_GATE + "mapgate.listen.tls { certificate-chain = \"tls.crt\", private-key = \"tls.key\" }\n"))
                .isEqualTo("mapgate.listen.tls.certificate-chain: " + dir.resolve("tls.crt") + " does not exist");
        assertThat(problem(VALID_GATE + "mapgate.listen.tls.provider = boringssl\n"))
                .startsWith("mapgate.listen.tls.provider: \"boringssl\" is not one of auto, openssl, jdk");
    }

    @Test
    void anInsecureOriginWarnsAndCannotBeCombinedWithACaFile() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), TEST_CA);
        String https = "mapgate.origin.url = \"https://origin.internal\"\n";
        Settings insecure = load(VALID_GATE.replace("mapgate.origin.directory = \"site\"", https)
                + "mapgate.origin.tls.insecure = true\n");

        assertThat(insecure.origin().insecure()).isTrue();
        assertThat(insecure.warnings()).anySatisfy(w -> assertThat(w).contains("origin.tls.insecure", "not checked"));
        assertThat(problem(VALID_GATE.replace("mapgate.origin.directory = \"site\"", https)
                + "mapgate.origin.tls { insecure = true, ca-file = \"ca.pem\" }\n"))
                .startsWith("mapgate.origin.tls.insecure: cannot be combined with mapgate.origin.tls.ca-file");
    }

    @Test
    void theTransportIsAutoEpollOrNio() throws IOException {
        assertThat(load(VALID_GATE + "mapgate.listen.transport = nio\n").listen().transport())
                .isEqualTo(ListenSettings.Transport.NIO);
        assertThat(problem(VALID_GATE + "mapgate.listen.transport = kqueue\n"))
                .isEqualTo("mapgate.listen.transport: \"kqueue\" is not one of auto, epoll, nio");
    }

    /**
     * Typesafe's own messages (syntax, concatenation, substitution) reach the operator's terminal
     * and, on a reload, the log. Some quote the values they could not combine, and a token's value
     * is a value like any other, from the file or from the environment.
     */
    @Test
    void aTokenValueNeverReachesAMessageFromTheHoconParser() {
        String secret = "S3CRETtokenVALUE1234567890abcdef";
        String site = "mapgate.origin.directory = \"site\"\n";
        List<String> messages = List.of(
                problem(site + "mapgate.gate.token.tokens = [ { name = s, value = \"" + secret + "\" [1] } ]\n"),
                problem(site + "mapgate.gate.token.tokens = [ { name = s, value = ${TOK} [1] } ]\n",
                        Map.of("TOK", secret)),
                problem(site + "mapgate.gate.token.tokens = [ { name = s, value = " + secret + " {} } ]\n"),
                problem(site + "mapgate.gate.token.tokens = [ { name = s, value = \"" + secret + "\" } ]]\n"),
                problem(site + "mapgate.gate.token.tokens = [ { name = s, value = " + secret + "\" } ]\n"),
                problem(site + "mapgate.gate.token.tokens = { name = s, value = \"" + secret + "\" }\n"),
                problem(site + "mapgate.gate.token = \"" + secret + "\"\n"));

        assertThat(messages).as("each still says where").allSatisfy(message -> assertThat(message)
                .containsAnyOf("mapgate.conf: 2", "environment variables"));
        assertThat(messages.get(0)).endsWith("mapgate.conf: 2: values written side by side cannot be joined (a string,"
                + " number or boolean beside a list or an object); quote the whole value, or separate list elements"
                + " with commas");
        assertThat(messages).noneSatisfy(message -> assertThat(message).contains(secret.substring(0, 12)));
    }

    @Test
    void aTokenFileNamedByANumberLoadsAndIsShownResolved() throws IOException {
        Files.writeString(dir.resolve("123"), TOKEN + "\n", StandardCharsets.UTF_8);
        Path file = write("mapgate.origin.directory = \"site\"\n"
                + "mapgate.gate.token.tokens = [ { name = sentry, file = 123 } ]\n");

        assertThat(SettingsLoader.load(file, Map.of()).gate().policy().credentials().tokenNames())
                .containsExactly("sentry");
        assertThat(SettingsLoader.effective(file, Map.of()).hocon())
                .as("check-config shows what run reads").contains("file=\"" + dir.resolve("123") + "\"");
    }

    private Settings load(String config) throws IOException {
        return load(config, Map.of());
    }

    private Settings load(String config, Map<String, String> env) throws IOException {
        return TestConfigFile.load(dir, config, env);
    }

    /** The message of the ConfigProblem that loading {@code config} must raise; always one line. */
    private String problem(String config) {
        return problem(config, Map.of());
    }

    private String problem(String config, Map<String, String> env) {
        return TestConfigFile.problem(dir, config, env);
    }

    private Path write(String config) throws IOException {
        return TestConfigFile.write(dir, config);
    }

    private static InetAddress loopback() {
        return address("127.0.0.1");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A self-signed CA, only parsed (never used for a connection). */
    private static final String TEST_CA = """
            -----BEGIN CERTIFICATE-----
            MIIBizCCATGgAwIBAgIUDOOqQBitdQSg3EoW9pWO4CVKWIAwCgYIKoZIzj0EAwIw
            GjEYMBYGA1UEAwwPbWFwZ2F0ZSB0ZXN0IENBMCAXDTI2MTEyMzE3NTQxNVoYDzIx
            MjYxMDMwMTc1NDE1WjAaMRgwFgYDVQQDDA9tYXBnYXRlIHRlc3QgQ0EwWTATBgcq
            hkjOPQIBBggqhkjOPQMBBwNCAATQH7+CJPhvxnRnsw4Vvoa/JAnIxylKtrMxSO43
            73gsWyyYerxtgBhRnx2JT3n/ujhwFhMKQvj3541suMamQhh5o1MwUTAdBgNVHQ4E
            FgQUjyscgtMZYurBr6gVADjLNXq297wwHwYDVR0jBBgwFoAUjyscgtMZYurBr6gV
            ADjLNXq297wwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAhTSM
            XsfFPrSrDWDBojb/Tgy4Su2/2p+nd95nhNequiICIGcVBomV9j3SF6ueW7gkd/ow
            W1CmYm+FAveq0zwSRVfL
            -----END CERTIFICATE-----
            """;
}
