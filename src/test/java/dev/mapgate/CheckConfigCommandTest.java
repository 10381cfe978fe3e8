package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.mapgate.config.SettingsWithEnvironment;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.TestMapgate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {

    /** Long enough that check-config has nothing to say about it. */
    private static final String TOKEN = "tok-6f1c2e9a-never-printed-4b7d0e1f92a3";
    private static final String REDACTED = "<redacted>";

    @TempDir
    Path dir;

    @BeforeEach
    void site() throws IOException {
        Files.createDirectories(dir.resolve("site"));
    }

    @Test
    void aValidConfigIsPrintedWithItsDefaultsAsHoconThatParsesBack() throws IOException {
        Path config = write("""
                mapgate.listen.port = 18080
                mapgate.origin.directory = "site"
                mapgate.gate.allow-ips = ["127.0.0.1/32"]
                mapgate.gate.token.tokens = [ { name = "sentry", value = "%s" } ]
                """.formatted(TOKEN));

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).as("exit status; stderr: %s", result.err()).isZero();
        Config effective = ConfigFactory.parseString(result.out());
        assertThat(effective.getInt("mapgate.listen.port")).isEqualTo(18080);
        assertThat(effective.getString("mapgate.origin.directory")).as("resolved, as mapgate uses it").isEqualTo(dir.resolve("site").toString());
        assertThat(effective.getString("mapgate.origin.connect-timeout")).as("a default from reference.conf")
                .isEqualTo("5s");
        assertThat(effective.getStringList("mapgate.gate.require")).containsExactly("ip", "credential");
        Config token = effective.getConfigList("mapgate.gate.token.tokens").get(0);
        assertThat(token.getString("name")).isEqualTo("sentry");
        assertThat(token.getString("value")).isEqualTo(REDACTED);
        assertThat(result.everything()).as("the token's value, anywhere in the output").doesNotContain(TOKEN);
        assertThat(effective.hasPath("mapgate.ip-ranges")).as("the library of ranges is noise here").isFalse();
        assertThat(result.errLines()).containsExactly("mapgate: " + config + " is valid: listens on 0.0.0.0:18080, "
                + "static origin " + dir.resolve("site") + ", 1 token (sentry), 0 Basic users");
    }

    @Test
    void aBrokenConfigExitsTwoWithOneLineNamingTheKeyAndPrintsNoConfig() throws IOException {
        Path config = write("""
                mapgate.listen.port = 70000
                mapgate.origin.directory = "site"
                """);

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(result.out()).isEmpty();
        assertThat(result.errLines()).singleElement().asString()
                .startsWith("mapgate: config error in " + config + ": mapgate.listen.port").contains("70000");
    }

    @Test
    void aTokenSubstitutedFromAnEnvironmentVariableIsRedactedLikeAnyOther() throws IOException {
        Path config = write("""
                mapgate.origin.directory = "site"
                mapgate.gate.allow-ips = ["127.0.0.1/32"]
                mapgate.gate.token.tokens = [ { name = "from-env", value = ${SENTRY_TOKEN} } ]
                """);

        Cli.Result result = Cli.run(Map.of("SENTRY_TOKEN", TOKEN), "check-config", "--config", config.toString());

        assertThat(result.exit()).as("exit status; stderr: %s", result.err()).isZero();
        assertThat(ConfigFactory.parseString(result.out()).getConfigList("mapgate.gate.token.tokens").get(0)
                .getString("value")).isEqualTo(REDACTED);
        assertThat(result.everything()).doesNotContain(TOKEN);
    }

    @Test
    void aTokenFileIsShownByItsPathButNotItsContents() throws IOException {
        Files.writeString(dir.resolve("sentry-token"), TOKEN + "\n");
        Path config = write("""
                mapgate.origin.directory = "site"
                mapgate.gate.allow-ips = ["127.0.0.1/32"]
                mapgate.gate.token.tokens = [ { name = "sentry", file = "sentry-token" } ]
                """);

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).as("exit status; stderr: %s", result.err()).isZero();
        Config token = ConfigFactory.parseString(result.out()).getConfigList("mapgate.gate.token.tokens").get(0);
        assertThat(token.getString("file")).as("resolved against the config file").isEqualTo(dir.resolve("sentry-token").toString());
        assertThat(token.hasPath("value")).isFalse();
        assertThat(result.everything()).doesNotContain(TOKEN);
    }

    @Test
    void basicUsersAreCountedButTheirHashesAreNeverPrinted() throws IOException {
        String aliceHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "alice-pw".toCharArray());
        String bobHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "bob-pw".toCharArray());
        Files.writeString(dir.resolve("htpasswd"), "bob:" + bobHash + "\n");
        Path config = write("""
                mapgate.origin.directory = "site"
                mapgate.gate.require = [credential]
                mapgate.gate.basic.users = [ { name = "alice", password-hash = "%s" } ]
                mapgate.gate.basic.htpasswd-file = "htpasswd"
                """.formatted(aliceHash));

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).as("exit status; stderr: %s", result.err()).isZero();
        Config basic = ConfigFactory.parseString(result.out()).getConfig("mapgate.gate.basic");
        assertThat(basic.getConfigList("users").get(0).getString("name")).isEqualTo("alice");
        assertThat(basic.getConfigList("users").get(0).getString("password-hash")).isEqualTo(REDACTED);
        assertThat(basic.getString("htpasswd-file")).as("a path, not a secret").isEqualTo(dir.resolve("htpasswd").toString());
        assertThat(result.everything()).doesNotContain(aliceHash).doesNotContain(bobHash).doesNotContain("$2y$");
        assertThat(result.err()).contains("0 tokens, 2 Basic users");
    }

    @Test
    void anEnvironmentOverrideOfTheListenPortIsWhatIsPrinted() throws IOException {
        Path config = write("""
                mapgate.listen.port = 18080
                mapgate.origin.directory = "site"
                mapgate.gate.allow-ips = ["127.0.0.1/32"]
                mapgate.gate.require = [ip]
                """);

        Cli.Result result = Cli.run(Map.of("MAPGATE_LISTEN_PORT", "19090"), "check-config", "--config",
                config.toString());

        assertThat(result.exit()).as("exit status; stderr: %s", result.err()).isZero();
        assertThat(ConfigFactory.parseString(result.out()).getInt("mapgate.listen.port")).isEqualTo(19090);
        assertThat(result.err()).contains("listens on 0.0.0.0:19090");
    }

    @Test
    void aWarningIsPrintedButTheConfigIsStillValid() throws IOException {
        Path config = write("""
                mapgate.origin.directory = "site"
                mapgate.gate.require = [ip]
                """);

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).as("a gate that allows nothing starts, so it is valid").isZero();
        assertThat(result.errLines()).first().asString().startsWith("warning: gate.require includes ip");
        assertThat(result.errLines()).last().asString().contains(" is valid: ");
    }

    @Test
    void aGlobThatReachesOnlyTheTopFolderWarnsWithTheFix() throws IOException {
        Path config = write("""
                mapgate.origin.directory = "site"
                mapgate.gate.paths = ["*.map"]
                mapgate.gate.require = [credential]
                mapgate.gate.token.tokens = [ { name = "sentry", value = "top-folder-token-1f2e-8c0b7a6d5e4f3a2b" } ]
                """);

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).isZero();
        assertThat(result.errLines()).first().asString()
                .startsWith("warning: gate.paths: '*.map' matches names in the top folder only")
                .contains("/assets/app.map stays public").contains("write '**/*.map'");
    }

    @Test
    void theShippedExampleConfigIsValidWithoutAnyWarning() {
        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", "conf/mapgate.conf");

        assertThat(result.exit()).as("exit status; stderr: %s", result.err()).isZero();
        assertThat(result.errLines()).as("its public example token is fine on 127.0.0.1").singleElement().asString()
                .contains(" is valid: listens on 127.0.0.1:8080");
    }

    @Test
    void theShippedExampleConfigOnEveryInterfaceWarnsThatItsTokenIsPublic() {
        Cli.Result result = Cli.run(Map.of("MAPGATE_LISTEN_HOST", "0.0.0.0"), "check-config", "--config",
                "conf/mapgate.conf");

        assertThat(result.exit()).isZero();
        assertThat(result.errLines()).first().asString()
                .startsWith("warning: mapgate.gate.token.tokens[0]: token 'example' is the public example value")
                .contains("openssl rand -hex 32");
        assertThat(result.err()).as("one warning: a public value is not also called short")
                .doesNotContain("shorter than");
    }

    @Test
    void aShortTokenIsWarnedAboutByNameAndNeverShown() throws IOException {
        Path config = write("""
                mapgate.origin.directory = "site"
                mapgate.gate.allow-ips = ["127.0.0.1/32"]
                mapgate.gate.token.tokens = [ { name = "sentry", value = "tok-short-7a1f" } ]
                """);

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).isZero();
        assertThat(result.errLines()).first().asString()
                .isEqualTo("warning: mapgate.gate.token.tokens[0]: token 'sentry' is shorter than 32 characters, which"
                        + " makes it easier to guess; make one with `openssl rand -hex 32` and give Sentry the same value");
        assertThat(result.everything()).doesNotContain("tok-short-7a1f");
    }

    @Test
    void aDeletedTokenFileIsValidWithTheTokenRevokedAsRunAndReloadWouldHaveIt() throws IOException {
        Files.writeString(dir.resolve("backup-token"), TOKEN + "\n");
        Path config = write("""
                mapgate.listen.port = 18080
                mapgate.origin.directory = "site"
                mapgate.gate.allow-ips = ["127.0.0.1/32"]
                mapgate.gate.token.tokens = [ { name = "sentry", file = "sentry-token" }, { name = "backup", file = "backup-token" } ]
                """);

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).as("exit status; stderr: %s", result.err()).isZero();
        assertThat(result.errLines()).containsExactly(
                "warning: mapgate.gate.token.tokens[0].file: token 'sentry' is revoked: " + dir.resolve("sentry-token")
                        + " does not exist; requests carrying it are denied until the file holds a token again",
                "mapgate: " + config + " is valid: listens on 0.0.0.0:18080, static origin " + dir.resolve("site")
                        + ", 1 token (backup), 1 revoked (sentry), 0 Basic users");
    }

    @Test
    void aDirectoryWhereATokenFileShouldBeIsAnErrorNamingTheKey() throws IOException {
        Files.createDirectory(dir.resolve("sentry-token"));
        Path config = write("""
                mapgate.origin.directory = "site"
                mapgate.gate.allow-ips = ["127.0.0.1/32"]
                mapgate.gate.token.tokens = [ { name = "sentry", file = "sentry-token" } ]
                """);

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(result.errLines()).singleElement().asString()
                .isEqualTo("mapgate: config error in " + config + ": mapgate.gate.token.tokens[0].file: "
                        + dir.resolve("sentry-token") + " cannot be read (Is a directory)");
    }

    @Test
    void namedRangesAreShownResolvedWhereTheyAreUsed() throws IOException {
        Path config = write("""
                mapgate.origin.url = "http://127.0.0.1:8081"
                mapgate.gate.allow-ips = ${mapgate.ip-ranges.sentry-eu}
                mapgate.gate.require = [ip]
                """);

        Cli.Result result = Cli.run(Map.of(), "check-config", "--config", config.toString());

        assertThat(result.exit()).as("exit status; stderr: %s", result.err()).isZero();
        assertThat(ConfigFactory.parseString(result.out()).getStringList("mapgate.gate.allow-ips"))
                .contains("34.141.31.19/32");
        assertThat(result.out()).doesNotContain("ip-ranges").doesNotContain("sentry-us");
        assertThat(result.err()).contains("origin http://127.0.0.1:8081, 0 tokens");
    }

    @Test
    void sitesAreShownWithTheirScopesAndCredentialNamesAsRunReadsThemButNeverASecret() throws IOException {
        String shopToken = "shop-tok-5e1d9c3b7a2f4e6d8c0b1a3f5e7d9c1b";
        String fileToken = "shop-file-tok-2b4d6f8a0c1e3a5c7e9b1d3f5a7c";
        String envToken = "blog-env-tok-8f2e4d6c0b1a3e5f7d9c1b3a5e7f";
        String ciHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(10, "ci-pw".toCharArray());
        String bobHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(10, "bob-pw".toCharArray());
        Files.writeString(dir.resolve("shop-backup"), fileToken + "\n");
        Files.writeString(dir.resolve("blog.htpasswd"), "bob:" + bobHash + "\n");
        Path config = write("""
                mapgate.origin.directory = "site"
                mapgate.gate.allow-ips = ["127.0.0.1/32"]
                mapgate.gate.token.tokens = [ { name = "legacy", value = "%s" } ]
                mapgate.gate.sites = [
                  { name = shop, hosts = ["shop.example.com"], path-prefixes = ["/shop/"]
                    allow-ips = ${mapgate.ip-ranges.sentry-eu}
                    token.tokens = [ { name = sentry-shop, value = "%s" }, { name = backup, file = "shop-backup" } ] }
                  { name = blog, path-prefixes = ["/blog/"], require = [credential], deny-status = 401
                    token.tokens = [ { name = sentry-blog, value = ${BLOG_TOKEN} } ]
                    basic { users = [ { name = ci, password-hash = "%s" } ], htpasswd-file = "blog.htpasswd" } }
                ]
                """.formatted(TOKEN, shopToken, ciHash));
        Map<String, String> env = Map.of("BLOG_TOKEN", envToken);

        Cli.Result result = Cli.run(env, "check-config", "--config", config.toString());

        assertThat(result.exit()).as("exit status; stderr: %s", result.err()).isZero();
        List<? extends Config> sites = ConfigFactory.parseString(result.out()).getConfigList("mapgate.gate.sites");
        Config shop = sites.get(0);
        assertThat(shop.getString("name")).isEqualTo("shop");
        assertThat(shop.getStringList("hosts")).containsExactly("shop.example.com");
        assertThat(shop.getStringList("path-prefixes")).containsExactly("/shop/");
        assertThat(shop.getStringList("require")).as("the gate's, which the site takes").containsExactly("ip", "credential");
        assertThat(shop.getInt("deny-status")).isEqualTo(404);
        assertThat(shop.getStringList("allow-ips")).as("the named range, resolved").contains("34.141.31.19/32");
        assertThat(shop.getConfigList("token.tokens")).extracting(token -> token.getString("name"))
                .containsExactly("sentry-shop", "backup");
        assertThat(shop.getConfigList("token.tokens").get(0).getString("value")).isEqualTo(REDACTED);
        assertThat(shop.getConfigList("token.tokens").get(1).getString("file")).isEqualTo(dir.resolve("shop-backup").toString());
        assertThat(shop.getConfigList("basic.users")).as("none of the gate's: a site takes no credential").isEmpty();
        Config blog = sites.get(1);
        assertThat(blog.getStringList("require")).containsExactly("credential");
        assertThat(blog.getInt("deny-status")).isEqualTo(401);
        assertThat(blog.getStringList("allow-ips")).containsExactly("127.0.0.1/32");
        assertThat(blog.getConfigList("token.tokens").get(0).getString("value")).isEqualTo(REDACTED);
        assertThat(blog.getConfigList("basic.users").get(0).getString("name")).isEqualTo("ci");
        assertThat(blog.getConfigList("basic.users").get(0).getString("password-hash")).isEqualTo(REDACTED);
        assertThat(blog.getString("basic.htpasswd-file")).isEqualTo(dir.resolve("blog.htpasswd").toString());
        assertThat(result.errLines()).containsExactly("mapgate: " + config + " is valid: listens on 0.0.0.0:8080, static"
                + " origin " + dir.resolve("site") + ", 1 token (legacy), 0 Basic users; site shop: 2 tokens"
                + " (sentry-shop, backup), 0 Basic users; site blog: 1 token (sentry-blog), 2 Basic users");

        String everything = result.everything() + SettingsWithEnvironment.load(config, env).toString();
        assertThat(everything).as("no secret of any site, nor of the gate, in the output or the settings' toString")
                .doesNotContain(TOKEN, shopToken, fileToken, envToken, ciHash, bobHash, "$2y$");
    }

    /** As users run it: its own JVM with the real environment and the production logging config. */
    @Test
    @Heavy
    void asAProcessItReportsABadConfigExactlyAsRunDoesAndRedactsTheEnvironmentsToken() throws Exception {
        Path good = write("""
                mapgate.origin.directory = "site"
                mapgate.gate.allow-ips = ["127.0.0.1/32"]
                mapgate.gate.token.tokens = [ { name = "from-env", value = ${SENTRY_TOKEN} } ]
                """);
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "mapgate { listen.prot = 8080, origin.directory = \"site\" }\n");
        Map<String, String> env = Map.of("SENTRY_TOKEN", TOKEN, "MAPGATE_LISTEN_PORT", "19091");

        MapgateJvm.Finished checked = TestMapgate.jvm().env(env).run("", "check-config", "--config", good.toString());
        assertThat(checked.exit()).as("stderr: %s", checked.stderr()).isZero();
        Config effective = ConfigFactory.parseString(checked.stdout());
        assertThat(effective.getInt("mapgate.listen.port")).isEqualTo(19091);
        assertThat(effective.getConfigList("mapgate.gate.token.tokens").get(0).getString("value")).isEqualTo(REDACTED);
        assertThat(checked.stdout() + checked.stderr()).doesNotContain(TOKEN);

        MapgateJvm.Finished check = TestMapgate.jvm().run("", "check-config", "--config", bad.toString());
        MapgateJvm.Finished run = TestMapgate.jvm().run("", "run", "--config", bad.toString());
        assertThat(check.exit()).isEqualTo(run.exit()).isEqualTo(Main.EXIT_CONFIG);
        assertThat(check.stderr()).as("the same line as run").isEqualTo(run.stderr())
                .contains("mapgate.listen.prot: unknown key; did you mean port?");
        assertThat(check.stderr().lines()).hasSize(1);
    }

    private Path write(String hocon) throws IOException {
        Path config = dir.resolve("mapgate.conf");
        Files.writeString(config, hocon, StandardCharsets.UTF_8);
        return config;
    }
}
