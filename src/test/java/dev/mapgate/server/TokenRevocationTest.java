package dev.mapgate.server;

import static dev.mapgate.testing.MetricsScrape.value;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.MetricsScrape;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revoking one token by deleting or emptying its file, with the reload watcher at its default
 * check interval and real sockets: that token gets the gate's usual denial within one interval,
 * while the other token, a Basic user and ungated assets carry on. A file that cannot be read for
 * another reason (here a directory) is a failed reload instead, and the running config stays.
 */
@Heavy
class TokenRevocationTest {

    /** reference.conf's reload.check-interval, which these tests leave as it is. */
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);
    /** Loading a config, a scrape, a busy CI machine: what a revocation may take beyond one interval. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    private static final String SENTRY = "2f8c1d7e4b6a90c3e5f7a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6";
    private static final String BACKUP = "9e8d7c6b5a49382716050f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a";
    private static final String MAP = "/assets/app.js.map";
    private static final String PASSWORD = "alice-password-for-the-revocation-test";
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private Path sentryFile;
    private Path backupFile;

    @BeforeEach
    void twoTokenFiles() throws IOException {
        sentryFile = Files.writeString(dir.resolve("sentry-token"), SENTRY + "\n");
        backupFile = Files.writeString(dir.resolve("backup-token"), BACKUP + "\n");
    }

    @Test
    void deletingATokenFileDeniesThatTokenWithinTheCheckIntervalAndRecreatingItBringsItBack() throws Exception {
        Metrics metrics = Metrics.inMemory();
        try (TestOrigin origin = new TestOrigin(); TestMapgate mapgate = start(origin, metrics)) {
            everyCredentialIsAllowed(mapgate);
            ResponseReader.Response wrongToken = get(mapgate, MAP, "X-Sentry-Token: not-a-configured-token");

            Files.delete(sentryFile);
            long revokedAfter = millisUntil(mapgate, SENTRY, 404);
            System.out.printf("token-revocation: file deleted, first denial after %d ms (check-interval %d ms)%n",
                    revokedAfter, CHECK_INTERVAL.toMillis());

            assertThat(revokedAfter).as("ms from deleting the file to the first denial")
                    .isLessThan(CHECK_INTERVAL.plus(SLACK).toMillis());
            ResponseReader.Response revoked = get(mapgate, MAP, "X-Sentry-Token: " + SENTRY);
            assertThat(revoked.bodyText()).as("the same denial as any wrong token, so nobody learns it was revoked")
                    .isEqualTo(wrongToken.bodyText());
            assertThat(revoked.header("Content-Type")).isEqualTo(wrongToken.header("Content-Type"));
            assertThat(revoked.header("Cache-Control")).isEqualTo(wrongToken.header("Cache-Control"));
            othersKeepWorking(mapgate);
            String warning = LogCapture.awaitLine("dev.mapgate.reload.ConfigReloader",
                    "WARN event=token-revoked token=sentry file=" + sentryFile + " cause=deleted");
            assertThat(warning).doesNotContain(SENTRY);
            assertThat(linesAbout(sentryFile, "event=token-revoked")).as("logged once, on the reload that revoked it")
                    .isEqualTo(1);
            String scrape = scrape(mapgate);
            assertThat(value(scrape, "mapgate_token_revocations_total")).isEqualTo(1);
            assertThat(value(scrape, "mapgate_tokens_revoked")).isEqualTo(1);
            assertThat(value(scrape, "mapgate_reloads_total", "what=\"config\"", "result=\"failed\""))
                    .as("a revocation is a successful reload").isZero();

            Files.writeString(sentryFile, SENTRY + "\n");
            long restoredAfter = millisUntil(mapgate, SENTRY, 200);
            System.out.printf("token-revocation: file re-created, token allowed again after %d ms%n", restoredAfter);

            assertThat(restoredAfter).isLessThan(CHECK_INTERVAL.plus(SLACK).toMillis());
            LogCapture.awaitLine("dev.mapgate.reload.ConfigReloader",
                    "INFO event=token-restored token=sentry file=" + sentryFile);
            assertThat(value(scrape(mapgate), "mapgate_tokens_revoked")).isZero();
            assertThat(value(scrape(mapgate), "mapgate_token_revocations_total")).as("a counter only grows")
                    .isEqualTo(1);
        }
        assertThat(LogCapture.lines()).as("no token value in any log line")
                .noneMatch(line -> line.contains(SENTRY) || line.contains(BACKUP) || line.contains(PASSWORD));
    }

    @Test
    void emptyingATokenFileRevokesItTooAndWritingATokenBackRestoresIt() throws Exception {
        try (TestOrigin origin = new TestOrigin(); TestMapgate mapgate = start(origin, Metrics.inMemory())) {
            everyCredentialIsAllowed(mapgate);

            // Whitespace and line ends only: what `> file` or an editor's "delete all" leaves.
            Files.writeString(sentryFile, " \n\t\r\n");
            long revokedAfter = millisUntil(mapgate, SENTRY, 404);
            System.out.printf("token-revocation: file emptied, first denial after %d ms (check-interval %d ms)%n",
                    revokedAfter, CHECK_INTERVAL.toMillis());

            assertThat(revokedAfter).isLessThan(CHECK_INTERVAL.plus(SLACK).toMillis());
            othersKeepWorking(mapgate);
            LogCapture.awaitLine("dev.mapgate.reload.ConfigReloader",
                    "WARN event=token-revoked token=sentry file=" + sentryFile + " cause=empty");
            assertThat(value(scrape(mapgate), "mapgate_token_revocations_total")).isEqualTo(1);
            assertThat(value(scrape(mapgate), "mapgate_tokens_revoked")).isEqualTo(1);

            Files.writeString(sentryFile, SENTRY + "\n");
            millisUntil(mapgate, SENTRY, 200);
            assertThat(value(scrape(mapgate), "mapgate_tokens_revoked")).isZero();
        }
    }

    @Test
    void aDirectoryInPlaceOfTheFileFailsTheReloadAndTheOldTokenKeepsWorking() throws Exception {
        Metrics metrics = Metrics.inMemory();
        try (TestOrigin origin = new TestOrigin(); TestMapgate mapgate = start(origin, metrics)) {
            everyCredentialIsAllowed(mapgate);

            // Swapped in with one rename, as Kubernetes swaps a Secret's files: the watcher never
            // sees the moment between removing the file and making the directory.
            Path directory = Files.createDirectory(dir.resolve("a-directory"));
            Path link = Files.createSymbolicLink(dir.resolve("sentry-token.next"), directory);
            Files.move(link, sentryFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            awaitFailedReloads(mapgate, 1);

            assertThat(get(mapgate, MAP, "X-Sentry-Token: " + SENTRY).status())
                    .as("the running config stays, with the token it had").isEqualTo(200);
            othersKeepWorking(mapgate);
            LogCapture.awaitLine("dev.mapgate.reload.ConfigReloader", "ERROR event=config-reload-failed",
                    "mapgate.gate.token.tokens[0].file: " + sentryFile + " cannot be read");
            assertThat(linesAbout(sentryFile, "event=token-revoked")).as("nothing was revoked").isZero();
            String scrape = scrape(mapgate);
            assertThat(value(scrape, "mapgate_token_revocations_total")).isZero();
            assertThat(value(scrape, "mapgate_tokens_revoked")).isZero();

            Thread.sleep(CHECK_INTERVAL.multipliedBy(2).toMillis());
            assertThat(value(scrape(mapgate), "mapgate_reloads_total", "what=\"config\"", "result=\"failed\""))
                    .as("the same unreadable file is not retried at every check").isEqualTo(1);
        }
    }

    @Test
    void aTokenFileMissingAtStartupStartsWithThatTokenRevokedAndItsFileWatched() throws Exception {
        Files.delete(sentryFile);
        try (TestOrigin origin = new TestOrigin(); TestMapgate mapgate = start(origin, Metrics.inMemory())) {
            LogCapture.awaitLine("dev.mapgate.reload.ConfigReloader",
                    "WARN event=token-revoked token=sentry file=" + sentryFile + " cause=deleted");
            assertThat(get(mapgate, MAP, "X-Sentry-Token: " + SENTRY).status()).isEqualTo(404);
            othersKeepWorking(mapgate);
            assertThat(value(scrape(mapgate), "mapgate_tokens_revoked")).isEqualTo(1);

            Files.writeString(sentryFile, SENTRY + "\n");
            long restoredAfter = millisUntil(mapgate, SENTRY, 200);
            System.out.printf("token-revocation: file missing at startup, created, allowed after %d ms%n",
                    restoredAfter);
            assertThat(value(scrape(mapgate), "mapgate_tokens_revoked")).isZero();
        }
    }

    private TestMapgate start(TestOrigin origin, Metrics metrics) {
        String hash = BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());
        return TestMapgate.in(dir).metrics(metrics).config("""
                origin.url = "%s"
                gate {
                  allow-ips = ["127.0.0.1"]
                  token.tokens = [ { name = "sentry", file = "%s" }, { name = "backup", file = "%s" } ]
                  basic.users = [ { name = "alice", password-hash = "%s" } ]
                }
                """.formatted(origin.url(), sentryFile, backupFile, hash)).start();
    }

    private static void everyCredentialIsAllowed(TestMapgate mapgate) throws IOException {
        assertThat(get(mapgate, MAP, "X-Sentry-Token: " + SENTRY).status()).as("sentry's token").isEqualTo(200);
        othersKeepWorking(mapgate);
    }

    private static void othersKeepWorking(TestMapgate mapgate) throws IOException {
        assertThat(get(mapgate, MAP, "X-Sentry-Token: " + BACKUP).status()).as("the other token").isEqualTo(200);
        assertThat(get(mapgate, MAP, "Authorization: " + BASIC).status()).as("the Basic user").isEqualTo(200);
        assertThat(get(mapgate, "/assets/app.js").status()).as("an ungated asset").isEqualTo(200);
        assertThat(get(mapgate, MAP).status()).as("no credential at all").isEqualTo(404);
    }

    /** Polls every 10 ms on a new connection, as Sentry would come back; returns the ms waited. */
    private static long millisUntil(TestMapgate mapgate, String token, int status) throws Exception {
        long start = System.nanoTime();
        long deadline = start + CHECK_INTERVAL.plus(SLACK).multipliedBy(2).toNanos();
        while (get(mapgate, MAP, "X-Sentry-Token: " + token).status() != status) {
            assertThat(System.nanoTime())
                    .as("the token answered %d within %d ms", status, TimeUnit.NANOSECONDS.toMillis(deadline - start))
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static void awaitFailedReloads(TestMapgate mapgate, double count) throws Exception {
        long deadline = System.nanoTime() + CHECK_INTERVAL.plus(SLACK).toNanos();
        while (value(scrape(mapgate), "mapgate_reloads_total", "what=\"config\"", "result=\"failed\"") < count) {
            assertThat(System.nanoTime()).as("%s failed reloads", count).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static ResponseReader.Response get(TestMapgate mapgate, String path, String... headers) throws IOException {
        try (RawClient client = mapgate.connect()) {
            return client.get(path, headers);
        }
    }

    private static long linesAbout(Path file, String event) {
        return LogCapture.lines().stream().filter(l -> l.contains(event) && l.contains("file=" + file + " ")).count();
    }

    private static String scrape(TestMapgate mapgate) throws Exception {
        return MetricsScrape.of(mapgate.server().adminAddress().getPort());
    }
}
