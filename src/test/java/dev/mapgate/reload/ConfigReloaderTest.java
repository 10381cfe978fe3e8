package dev.mapgate.reload;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.config.LiveSettings;
import dev.mapgate.config.RevokedToken;
import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.watch.FileWatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading the config from its files, without a server: what an operator's edit does to the live snapshot. */
class ConfigReloaderTest {

    private static final String CONFIG = """
            mapgate {
              listen { host = "127.0.0.1", port = %d }
              origin.directory = "site"
              gate {
                allow-ips = ["127.0.0.1"]
                deny-status = %d
                token.tokens = [ { name = "sentry", file = "sentry.token" } ]
              }
            }
            """;

    @TempDir
    Path dir;

    private Path config;
    private Path tokenFile;
    private LiveSettings live;
    private Metrics metrics;
    private ConfigReloader reloader;

    @BeforeEach
    void startWithTheFirstToken() throws IOException {
        Files.createDirectories(dir.resolve("site"));
        config = dir.resolve("mapgate.conf");
        tokenFile = dir.resolve("sentry.token");
        writeConfig(8080, 404);
        Files.writeString(tokenFile, "first-token-aaaaaaaaaaaa\n");
        live = new LiveSettings(SettingsLoader.load(config));
        metrics = Metrics.inMemory();
        reloader = new ConfigReloader(config, live, SettingsLoader::load, metrics);
    }

    @Test
    void nothingChangedMeansNoReloadAndNothingCounted() {
        Settings before = live.get();

        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.UNCHANGED);
        assertThat(live.get()).isSameAs(before);
        assertThat(reloads("ok") + reloads("failed")).isZero();
    }

    @Test
    void aRotatedTokenFileReplacesTheSnapshotAndTheOldTokenStopsWorking() throws IOException {
        Settings before = live.get();
        Files.writeString(tokenFile, "second-token-bbbbbbbbbbb\n");

        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.APPLIED);

        assertThat(live.get().gate().policy().acceptsToken("second-token-bbbbbbbbbbb")).isTrue();
        assertThat(live.get().gate().policy().acceptsToken("first-token-aaaaaaaaaaaa")).isFalse();
        assertThat(before.gate().policy().acceptsToken("first-token-aaaaaaaaaaaa"))
                .as("whoever holds the old snapshot keeps judging by it").isTrue();
        assertThat(reloads("ok")).isEqualTo(1.0);
        assertThat(reloader.reloadIfChanged()).as("once loaded, the same bytes are no change")
                .isEqualTo(ConfigReloader.Outcome.UNCHANGED);
    }

    @Test
    void aBrokenConfigKeepsTheRunningOneLogsTheKeyAndIsCountedOnce() throws IOException {
        Settings before = live.get();
        writeConfig(8080, 418);

        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.FAILED);

        assertThat(live.get()).as("the running config stays").isSameAs(before);
        assertThat(reloads("failed")).isEqualTo(1.0);
        assertThat(LogCapture.lines()).anySatisfy(line -> assertThat(line)
                .contains("event=config-reload-failed").contains("mapgate.gate.deny-status"));
        assertThat(reloader.reloadIfChanged()).as("the same broken bytes are not retried")
                .isEqualTo(ConfigReloader.Outcome.UNCHANGED);
        assertThat(reloads("failed")).isEqualTo(1.0);

        writeConfig(8080, 403);
        assertThat(reloader.reloadIfChanged()).as("a fixed file is taken").isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(live.get().gate().denyStatus()).isEqualTo(403);
    }

    @Test
    void aDeletedTokenFileRevokesTheTokenWithOneWarningAndItsReturnRestoresIt() throws IOException {
        Files.delete(tokenFile);

        assertThat(reloader.reloadIfChanged()).as("a revocation is a config that loads").isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(live.get().gate().policy().acceptsToken("first-token-aaaaaaaaaaaa")).isFalse();
        assertThat(live.get().gate().revokedTokens()).extracting(RevokedToken::name).containsExactly("sentry");
        assertThat(revocationLines()).singleElement().asString()
                .contains(" WARN event=token-revoked token=sentry file=" + tokenFile + " cause=deleted ")
                .doesNotContain("first-token-aaaaaaaaaaaa");
        assertThat(revocations()).isEqualTo(1.0);

        assertThat(reloader.reloadNow("SIGHUP")).isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(revocationLines()).as("a reload that leaves it revoked says nothing more").hasSize(1);
        assertThat(revocations()).isEqualTo(1.0);

        Files.writeString(tokenFile, "first-token-aaaaaaaaaaaa\n");
        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(live.get().gate().policy().acceptsToken("first-token-aaaaaaaaaaaa")).isTrue();
        assertThat(live.get().gate().revokedTokens()).isEmpty();
        assertThat(LogCapture.lines()).anySatisfy(line -> assertThat(line)
                .contains(" INFO event=token-restored token=sentry file=" + tokenFile));
        assertThat(reloads("failed")).isZero();
    }

    @Test
    void aTokenFileReplacedByADirectoryFailsTheReloadAndTheOldTokenKeepsWorking() throws IOException {
        Files.delete(tokenFile);
        Files.createDirectory(tokenFile);

        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.FAILED);
        assertThat(live.get().gate().policy().acceptsToken("first-token-aaaaaaaaaaaa")).isTrue();
        assertThat(reloads("failed")).isEqualTo(1.0);
        assertThat(revocationLines()).isEmpty();
        assertThat(LogCapture.lines()).anySatisfy(line -> assertThat(line)
                .contains("event=config-reload-failed").contains("mapgate.gate.token.tokens[0].file: " + tokenFile));
    }

    @Test
    void aTokenFileRewrittenWhileTheLoaderReadsItIsLoadedAgainOnTheNextCheck() throws IOException {
        // As `echo new > file` does: the loader sees the truncated file, the new bytes land just after.
        AtomicBoolean writeDuringLoad = new AtomicBoolean(true);
        ConfigReloader racing = new ConfigReloader(config, live, path -> {
            Settings read = SettingsLoader.load(path);
            if (writeDuringLoad.getAndSet(false)) {
                try {
                    Files.writeString(tokenFile, "second-token-bbbbbbbbbbb\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return read;
        }, metrics);
        Files.writeString(tokenFile, "");

        assertThat(racing.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(live.get().gate().revokedTokens()).as("the load read an empty file").hasSize(1);

        assertThat(racing.reloadIfChanged())
                .as("the bytes written during that load were never loaded, so they are a change")
                .isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(live.get().gate().policy().acceptsToken("second-token-bbbbbbbbbbb")).isTrue();
        assertThat(live.get().gate().revokedTokens()).isEmpty();
    }

    @Test
    void aNewPortIsReportedAsNeedingARestartWhileTheRestIsApplied() throws IOException {
        writeConfig(9999, 403);

        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.APPLIED);

        assertThat(live.get().listen().port()).as("the listener is not moved").isEqualTo(8080);
        assertThat(live.get().gate().denyStatus()).as("the gate change is applied").isEqualTo(403);
        assertThat(LogCapture.lines()).anySatisfy(line -> assertThat(line)
                .contains("event=config-restart-needed").contains("mapgate.listen.port"));
    }

    @Test
    void aSignalReloadsEvenWhenTheWatchedFilesAreUnchanged() {
        Settings before = live.get();

        assertThat(reloader.reloadNow("SIGHUP")).isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(live.get()).isNotSameAs(before);
        assertThat(reloads("ok")).isEqualTo(1.0);
    }

    @Test
    void theWatcherPicksUpAChangeByItself() throws Exception {
        String fast = Files.readString(config).replace("origin.directory", "reload.check-interval = 50ms\n  origin.directory");
        Files.writeString(config, fast);
        live = new LiveSettings(SettingsLoader.load(config));
        assertThat(live.get().reloadInterval()).isEqualTo(Duration.ofMillis(50));
        try (FileWatcher watcher = new FileWatcher("test-watcher");
             ConfigReloader watching = new ConfigReloader(config, live, SettingsLoader::load, metrics)) {
            watching.startWatching(watcher);
            Files.writeString(tokenFile, "third-token-cccccccccccc");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!live.get().gate().policy().acceptsToken("third-token-cccccccccccc") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(live.get().gate().policy().acceptsToken("third-token-cccccccccccc")).isTrue();
        }
    }

    @Test
    void anEditedHtpasswdFileIsWatchedToo() throws IOException {
        Path htpasswd = dir.resolve("users.htpasswd");
        Files.writeString(htpasswd, "alice:" + bcrypt("alice-password") + "\n");
        Files.writeString(config, Files.readString(config).replace("token.tokens",
                "basic.htpasswd-file = \"users.htpasswd\"\n    token.tokens"));
        live = new LiveSettings(SettingsLoader.load(config));
        reloader = new ConfigReloader(config, live, SettingsLoader::load, metrics);
        assertThat(basicAllowed("bob", "bob-password")).isFalse();

        Files.writeString(htpasswd, "bob:" + bcrypt("bob-password") + "\n");

        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(basicAllowed("bob", "bob-password")).as("the user added to the file").isTrue();
        assertThat(basicAllowed("alice", "alice-password")).as("the user removed from it").isFalse();
    }

    // ---- sites ---------------------------------------------------------------------------------------

    /** {@link #CONFIG}'s gate with two sites after its own token, each site with the tokens given. */
    private static final String SITES = CONFIG.formatted(8080, 404).replace("file = \"sentry.token\" } ]\n", """
            file = "sentry.token" } ]
                sites = [
                  { name = shop, path-prefixes = ["/shop/"], token.tokens = [ %s ] }
                  { name = blog, path-prefixes = ["/blog/"], token.tokens = [ %s ] }
                ]
            """);

    @Test
    void aSitesDeletedTokenFileIsRevokedInThatSiteAndTheLinesNameTheSite() throws IOException {
        Path shopFile = dir.resolve("shop.token");
        Files.writeString(shopFile, "shop-token-dddddddddddddd\n");
        useSites("{ name = sentry, file = \"shop.token\" }", "");
        Files.delete(shopFile);
        Files.delete(tokenFile);

        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(live.get().gate().site("shop").policy().acceptsToken("shop-token-dddddddddddddd")).isFalse();
        assertThat(LogCapture.lines()).as("the same name in the gate's own settings is another token")
                .anySatisfy(line -> assertThat(line).contains(" WARN event=token-revoked token=sentry file=" + shopFile
                        + " cause=deleted site=shop key=mapgate.gate.sites[0].token.tokens[0].file "))
                .anySatisfy(line -> assertThat(line).contains(" WARN event=token-revoked token=sentry file=" + tokenFile
                        + " cause=deleted site=- key=mapgate.gate.token.tokens[0].file "));
        assertThat(revocations()).isEqualTo(2.0);

        Files.writeString(shopFile, "shop-token-dddddddddddddd\n");
        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.APPLIED);
        assertThat(live.get().gate().site("shop").policy().acceptsToken("shop-token-dddddddddddddd")).isTrue();
        assertThat(LogCapture.lines()).anySatisfy(line -> assertThat(line)
                .contains(" INFO event=token-restored token=sentry file=" + shopFile + " site=shop"));
        assertThat(LogCapture.lines()).as("the gate's own is still revoked").noneSatisfy(line -> assertThat(line)
                .contains("event=token-restored token=sentry file=" + tokenFile));
    }

    @Test
    void aTokenMovedFromOneSiteToAnotherOpensOnlyTheOtherAfterTheReload() throws IOException {
        String token = "{ name = ci, value = \"moving-token-eeeeeeeeeeeeeeeeeeeeeeee\" }";
        useSites(token, "");
        Settings before = live.get();
        assertThat(before.gate().site("shop").policy().acceptsToken("moving-token-eeeeeeeeeeeeeeeeeeeeeeee")).isTrue();

        Files.writeString(config, SITES.formatted("", token), StandardCharsets.UTF_8);
        assertThat(reloader.reloadIfChanged()).isEqualTo(ConfigReloader.Outcome.APPLIED);

        assertThat(live.get().gate().site("blog").policy().acceptsToken("moving-token-eeeeeeeeeeeeeeeeeeeeeeee"))
                .isTrue();
        assertThat(live.get().gate().site("shop").policy().acceptsToken("moving-token-eeeeeeeeeeeeeeeeeeeeeeee"))
                .as("no longer the shop's").isFalse();
        assertThat(before.gate().site("shop").policy().acceptsToken("moving-token-eeeeeeeeeeeeeeeeeeeeeeee"))
                .as("a request judged by the old snapshot keeps it").isTrue();
    }

    /** Starts again from {@link #SITES}, with the reloader watching it. */
    private void useSites(String shopTokens, String blogTokens) throws IOException {
        Files.writeString(config, SITES.formatted(shopTokens, blogTokens), StandardCharsets.UTF_8);
        live = new LiveSettings(SettingsLoader.load(config));
        reloader = new ConfigReloader(config, live, SettingsLoader::load, metrics);
    }

    private boolean basicAllowed(String user, String password) {
        String header = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return live.get().gate().policy()
                .decide("/app.js.map", InetAddress.getLoopbackAddress(), null, header).allowed();
    }

    private static String bcrypt(String password) {
        return BCrypt.withDefaults().hashToString(4, password.toCharArray());
    }

    private void writeConfig(int port, int denyStatus) throws IOException {
        Files.writeString(config, CONFIG.formatted(port, denyStatus), StandardCharsets.UTF_8);
    }

    private List<String> revocationLines() {
        return LogCapture.lines().stream()
                .filter(line -> line.contains("event=token-revoked") && line.contains("file=" + tokenFile + " "))
                .toList();
    }

    private double revocations() {
        return metrics.registry().find("mapgate.token.revocations").counter().count();
    }

    private double reloads(String result) {
        var counter = metrics.registry().find("mapgate.reloads").tags("what", "config", "result", result).counter();
        return counter == null ? 0 : counter.count();
    }
}
