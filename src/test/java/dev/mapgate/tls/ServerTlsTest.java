package dev.mapgate.tls;

import dev.mapgate.metrics.Metrics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mapgate.tls.ListenTlsSettings.Provider;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.watch.FileWatcher;
import dev.mapgate.tls.TestPki.KeyFormat;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder.Algorithm;
import io.netty.pkitesting.X509Bundle;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Loading, checking and reloading the listener's PEM files, with no sockets. */
class ServerTlsTest {

    static final TestPki PKI = new TestPki();
    static final String LOGGER = ServerTls.class.getName();

    @TempDir
    Path dir;
    Path chain;
    Path key;

    @BeforeEach
    void files() {
        chain = dir.resolve("tls.crt");
        key = dir.resolve("tls.key");
    }

    // ---- what loads ---------------------------------------------------------------------------

    static Stream<Arguments> everyKeyFormatWithEitherProvider() {
        return Stream.of(Provider.JDK, Provider.OPENSSL).flatMap(provider -> Stream.of(
                Arguments.of(provider, Algorithm.rsa2048, KeyFormat.PKCS8, "-----BEGIN PRIVATE KEY-----"),
                Arguments.of(provider, Algorithm.rsa2048, KeyFormat.TRADITIONAL, "-----BEGIN RSA PRIVATE KEY-----"),
                Arguments.of(provider, Algorithm.ecp256, KeyFormat.PKCS8, "-----BEGIN PRIVATE KEY-----"),
                Arguments.of(provider, Algorithm.ecp256, KeyFormat.TRADITIONAL, "-----BEGIN EC PRIVATE KEY-----")));
    }

    @ParameterizedTest(name = "{0}: {1} key as \"{3}\"")
    @MethodSource("everyKeyFormatWithEitherProvider")
    void everyKeyFormatLoadsAndCompletesAHandshakeWithEitherProvider(Provider provider, Algorithm algorithm,
                                                                    KeyFormat format, String header) throws Exception {
        requireProvider(provider);
        X509Bundle server = PKI.server(algorithm);
        TestPki.install(server, format, chain, key);
        assertThat(Files.readString(key)).as("the test writes the format it claims to").startsWith(header);

        try (ServerTls tls = ServerTls.load(settings(provider))) {
            assertThat(tls.implementation()).as("the provider asked for is the one used")
                    .isEqualTo(provider == Provider.JDK ? "JDK" : "BoringSSL");
            SSLSession session = InMemoryHandshake.run(tls.newHandler(ByteBufAllocator.DEFAULT, 5000),
                    PKI.nettyClient(SslProvider.JDK));
            assertThat(session.getPeerCertificates()[0]).as("the configured certificate is the one presented")
                    .isEqualTo(server.getCertificate());
            assertThat(session.getPeerCertificates()).as("the intermediate from the chain file is sent along")
                    .hasSize(2);
            assertThat(session.getProtocol()).as("a client that can do TLS 1.3 gets it").isEqualTo("TLSv1.3");
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void theListenerEnablesOnlyTls13And12WithEcdheAeadSuites(SslProvider provider) {
        requireProvider(provider == SslProvider.JDK ? Provider.JDK : Provider.OPENSSL);
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        try (ServerTls tls = ServerTls.load(settings(provider == SslProvider.JDK ? Provider.JDK : Provider.OPENSSL))) {
            SslHandler handler = tls.newHandler(ByteBufAllocator.DEFAULT, 5000);
            try {
                assertThat(handler.engine().getEnabledProtocols())
                        .as("SSLv2Hello is how BoringSSL's engine says it accepts any hello format; it is no protocol")
                        .contains("TLSv1.3", "TLSv1.2")
                        .isSubsetOf("TLSv1.3", "TLSv1.2", "SSLv2Hello");
                List<String> suites = Arrays.asList(handler.engine().getEnabledCipherSuites());
                assertThat(suites).as("TLS 1.3's suites, and for TLS 1.2 only forward-secret AEAD ones")
                        .allMatch(s -> s.matches("TLS_(AES_\\d+_GCM_SHA\\d+|CHACHA20_POLY1305_SHA256)")
                                || s.matches("TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_\\d+_GCM_SHA\\d+|CHACHA20_POLY1305_SHA256)"));
                assertThat(suites).as("both providers offer all of them, for both kinds of certificate")
                        .containsExactlyInAnyOrderElementsOf(ServerContexts.CIPHER_SUITES);
            } finally {
                ReferenceCountUtil.release(handler.engine());
            }
        }
    }

    @Test
    void newHandlerGivesEachConnectionTheHandshakeTimeoutItIsAsked() {
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        try (ServerTls tls = ServerTls.load(settings(Provider.AUTO))) {
            SslHandler handler = tls.newHandler(ByteBufAllocator.DEFAULT, 1234);
            try {
                assertThat(handler.getHandshakeTimeoutMillis()).as("the header timeout covers the handshake too")
                        .isEqualTo(1234);
            } finally {
                ReferenceCountUtil.release(handler.engine());
            }
        }
    }

    @Test
    void autoUsesBoringSslWhereItLoadsAndJdkAlwaysTheJdk() {
        BoringSsl.require();
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        try (ServerTls auto = ServerTls.load(settings(Provider.AUTO));
             ServerTls jdk = ServerTls.load(settings(Provider.JDK))) {
            assertThat(auto.implementation()).as("BoringSSL loads on this machine, so auto takes it")
                    .isEqualTo("BoringSSL");
            assertThat(jdk.implementation()).isEqualTo("JDK");
        }
    }

    @Test
    void boringSslConnectionsComeFromAContextThatNeedsNoReleaseWhenSwappedOut() {
        BoringSsl.require();
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        try (ServerTls tls = ServerTls.load(settings(Provider.OPENSSL))) {
            SslHandler handler = tls.newHandler(ByteBufAllocator.DEFAULT, 5000);
            try {
                assertThat(handler.engine()).as("OPENSSL, not OPENSSL_REFCNT: the garbage collector frees what a reload drops")
                        .isInstanceOf(OpenSslEngine.class);
            } finally {
                ReferenceCountUtil.release(handler.engine());
            }
        }
    }

    @Test
    void anExpiredCertificateIsStillServedButStartingToServeItLogsAWarning() {
        Instant now = Instant.now();
        X509Bundle expired = PKI.server(Algorithm.ecp256, now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(1)));
        TestPki.install(expired, KeyFormat.PKCS8, chain, key);
        try (FileWatcher watcher = new FileWatcher("test-watcher");
             ServerTls tls = ServerTls.load(settings(Provider.AUTO))) {
            assertThat(LogCapture.linesFrom(LOGGER)).as("load alone logs nothing")
                    .noneMatch(l -> l.contains(serialOf(expired)));
            tls.startWatching(watcher);
            assertThat(LogCapture.linesFrom(LOGGER))
                    .as("refusing to start would take the site down for every client, so it only warns")
                    .anyMatch(l -> l.contains("WARN event=tls-certificate-expired") && l.contains("CN=localhost"))
                    .anyMatch(l -> l.contains("INFO event=tls-loaded") && l.contains("serial=" + serialOf(expired)));
        }
    }

    // ---- what is refused, and under which key ------------------------------------------------

    @Test
    void aKeyFromAnotherPairIsRefusedUnderPrivateKey() {
        TestPki.replace(chain, TestPki.chainPem(PKI.server(Algorithm.ecp256)));
        TestPki.replace(key, TestPki.keyPem(PKI.server(Algorithm.ecp256).getKeyPair(), KeyFormat.PKCS8));

        TlsFileProblem problem = loadFails();
        assertThat(problem.key()).as("the key is what does not fit the certificate").isEqualTo("private-key");
        assertThat(problem.getMessage()).as("the message names both files and the certificate")
                .contains(key.toString(), "does not belong to the certificate CN=localhost", chain.toString());
    }

    @Test
    void aKeyOfTheOtherTypeIsRefusedUnderPrivateKey() {
        TestPki.replace(chain, TestPki.chainPem(PKI.server(Algorithm.ecp256)));
        TestPki.replace(key, TestPki.keyPem(PKI.server(Algorithm.rsa2048).getKeyPair(), KeyFormat.TRADITIONAL));

        assertThat(loadFails().key()).as("an RSA key cannot belong to an EC certificate").isEqualTo("private-key");
    }

    @Test
    void aChainThatDoesNotStartWithTheServersCertificateIsRefusedUnderCertificateChain() {
        X509Bundle server = PKI.server(Algorithm.ecp256);
        TestPki.replace(chain, PKI.intermediate.getCertificatePEM() + server.getCertificatePEM());
        TestPki.replace(key, TestPki.keyPem(server.getKeyPair(), KeyFormat.PKCS8));

        TlsFileProblem problem = loadFails();
        assertThat(problem.key()).as("the key is right; the order of the chain file is not").isEqualTo("certificate-chain");
        assertThat(problem.getMessage()).as("the message says how to fix it")
                .contains("starts with CN=mapgate test intermediate", "certificate 2", "must come first");
    }

    @Test
    void anEmptyOrBlankChainFileIsRefusedUnderCertificateChain() throws Exception {
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        for (String empty : List.of("", "\n  \n")) {
            Files.writeString(chain, empty);
            TlsFileProblem problem = loadFails();
            assertThat(problem.key()).isEqualTo("certificate-chain");
            assertThat(problem.getMessage()).as("a truncated file says so").isEqualTo(chain + " is empty");
        }
    }

    @Test
    void aChainFileWithoutAPemCertificateIsRefusedUnderCertificateChain() throws Exception {
        X509Bundle server = PKI.server(Algorithm.ecp256);
        TestPki.install(server, KeyFormat.PKCS8, chain, key);
        for (byte[] notPem : List.of("just some text\n".getBytes(StandardCharsets.US_ASCII),
                server.getCertificate().getEncoded(),
                TestPki.keyPem(server.getKeyPair(), KeyFormat.PKCS8).getBytes(StandardCharsets.US_ASCII))) {
            Files.write(chain, notPem);
            TlsFileProblem problem = loadFails();
            assertThat(problem.key()).isEqualTo("certificate-chain");
            assertThat(problem.getMessage()).as("text, DER and a lone key hold no PEM certificate")
                    .startsWith(chain + " holds no PEM certificate");
        }
    }

    @Test
    void aChainFileWithBrokenPemIsRefusedUnderCertificateChain() throws Exception {
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        Files.writeString(chain, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");

        TlsFileProblem problem = loadFails();
        assertThat(problem.key()).isEqualTo("certificate-chain");
        assertThat(problem.getMessage()).startsWith(chain + " is not a valid PEM file: ");
    }

    @Test
    void aKeyFileWithoutAKeyIsRefusedUnderPrivateKey() throws Exception {
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        Files.copy(chain, key, StandardCopyOption.REPLACE_EXISTING);

        TlsFileProblem problem = loadFails();
        assertThat(problem.key()).isEqualTo("private-key");
        assertThat(problem.getMessage()).as("the certificate in the key file is no key")
                .startsWith(key + " holds no PEM private key");
    }

    @ParameterizedTest
    @EnumSource(value = KeyFormat.class, names = {"PKCS8_ENCRYPTED", "TRADITIONAL_ENCRYPTED"})
    void anEncryptedKeyIsRefusedAndTheMessageSaysWhy(KeyFormat format) {
        X509Bundle server = PKI.server(Algorithm.ecp256);
        TestPki.install(server, format, chain, key);

        TlsFileProblem problem = loadFails();
        assertThat(problem.key()).isEqualTo("private-key");
        assertThat(problem.getMessage()).as("mapgate has no passphrase to give")
                .startsWith(key + " is encrypted with a passphrase");
    }

    @Test
    void anEd25519KeyIsRefusedNamingTheKeyTypesThatWork() {
        TestPki.install(PKI.server(Algorithm.ed25519), KeyFormat.PKCS8, chain, key);

        TlsFileProblem problem = loadFails();
        assertThat(problem.key()).isEqualTo("private-key");
        assertThat(problem.getMessage()).as("browsers take no Ed25519 certificates; better to hear it at startup")
                .contains("EdDSA", "RSA and EC");
    }

    @Test
    void aMissingFileIsRefusedUnderItsKey() {
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        key = dir.resolve("no-such.key");

        TlsFileProblem problem = loadFails();
        assertThat(problem.key()).isEqualTo("private-key");
        assertThat(problem.getMessage()).isEqualTo(key + " does not exist");
    }

    // ---- reloading ----------------------------------------------------------------------------

    @Test
    void reloadSwapsOnlyForAChangedPairThatMatchesAndLogsEachBadPairOnce() throws Exception {
        X509Bundle first = PKI.server(Algorithm.ecp256);
        X509Bundle second = PKI.server(Algorithm.rsa2048);
        TestPki.install(first, KeyFormat.TRADITIONAL, chain, key);
        Metrics metrics = Metrics.inMemory();
        try (ServerTls tls = ServerTls.load(settings(Provider.AUTO))) {
            tls.countReloadsIn(metrics);
            assertThat(tls.reloadIfChanged()).as("nothing changed").isFalse();

            // Caught half-rotated: the new certificate with the old key.
            TestPki.replace(chain, TestPki.chainPem(second));
            assertThat(tls.reloadIfChanged()).as("a mismatched pair is not swapped in").isFalse();
            assertThat(tls.reloadIfChanged()).as("nor at the next check").isFalse();
            assertThat(tls.servedCertificate()).as("the old pair is still served").isEqualTo(first.getCertificate());
            assertThat(LogCapture.linesFrom(LOGGER)).as("the same bad pair is logged once, not at every check")
                    .filteredOn(l -> l.contains("event=tls-reload-failed") && l.contains("serving_serial=" + serialOf(first)))
                    .hasSize(1)
                    .allMatch(l -> l.contains("WARN") && l.contains("key=mapgate.listen.tls.private-key"));

            TestPki.replace(key, TestPki.keyPem(second.getKeyPair(), KeyFormat.PKCS8));
            assertThat(tls.reloadIfChanged()).as("the completed rotation is picked up").isTrue();
            assertThat(tls.servedCertificate()).isEqualTo(second.getCertificate());
            assertThat(LogCapture.linesFrom(LOGGER)).as("the swap is logged with the new certificate")
                    .anyMatch(l -> l.contains("INFO event=tls-reloaded") && l.contains("serial=" + serialOf(second))
                            && l.contains("not_after="));
            assertThat(tls.reloadIfChanged()).as("and then nothing changed again").isFalse();

            Files.writeString(key, "");
            assertThat(tls.reloadIfChanged()).as("a key file caught truncated keeps the current pair").isFalse();
            assertThat(tls.servedCertificate()).isEqualTo(second.getCertificate());
        }
        assertThat(reloads(metrics, "ok")).as("one pair swapped in").isEqualTo(1.0);
        assertThat(reloads(metrics, "failed")).as("two distinct bad pairs, each counted once").isEqualTo(2.0);
        assertNoKeyMaterialLogged(first, second);
    }

    @Test
    void aFileThatVanishesKeepsTheCurrentPairAndItsReturnIsNoChange() throws Exception {
        X509Bundle served = PKI.server(Algorithm.ecp256);
        TestPki.install(served, KeyFormat.PKCS8, chain, key);
        try (ServerTls tls = ServerTls.load(settings(Provider.AUTO))) {
            Path aside = Files.move(chain, dir.resolve("aside.crt"));
            assertThat(tls.reloadIfChanged()).isFalse();
            assertThat(LogCapture.linesFrom(LOGGER)).as("the warning says what is missing")
                    .anyMatch(l -> l.contains("event=tls-reload-failed key=mapgate.listen.tls.certificate-chain")
                            && l.contains(chain + " does not exist"));

            Files.move(aside, chain);
            assertThat(tls.reloadIfChanged()).as("the same pair back is nothing new to load").isFalse();
            assertThat(tls.servedCertificate()).isEqualTo(served.getCertificate());
        }
    }

    /**
     * A Kubernetes Secret volume: the files are links through {@code ..data} to a timestamped
     * folder, and an update writes a new folder and re-points {@code ..data} in one rename.
     */
    @Test
    void aRotationByRepointingASymlinkAsKubernetesDoesIsPickedUp() throws Exception {
        X509Bundle first = PKI.server(Algorithm.ecp256);
        X509Bundle second = PKI.server(Algorithm.ecp256);
        Path mount = Files.createDirectories(dir.resolve("secret"));
        Path firstFolder = secretFolder(mount, "..2026_01_01_00_00_00.1", first);
        Files.createSymbolicLink(mount.resolve("..data"), firstFolder.getFileName());
        chain = Files.createSymbolicLink(mount.resolve("tls.crt"), Path.of("..data/tls.crt"));
        key = Files.createSymbolicLink(mount.resolve("tls.key"), Path.of("..data/tls.key"));
        try (ServerTls tls = ServerTls.load(settings(Provider.AUTO))) {
            assertThat(tls.servedCertificate()).as("the links are followed").isEqualTo(first.getCertificate());

            Path secondFolder = secretFolder(mount, "..2026_02_01_00_00_00.2", second);
            Path newLink = Files.createSymbolicLink(mount.resolve("..data_tmp"), secondFolder.getFileName());
            Files.move(newLink, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
            try (Stream<Path> old = Files.walk(firstFolder)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }

            assertThat(tls.reloadIfChanged()).as("the files' own paths and links did not change; their content did")
                    .isTrue();
            assertThat(tls.servedCertificate()).isEqualTo(second.getCertificate());
        }
    }

    @Test
    void theWatcherPicksUpARotationOnItsDaemonThreadUntilTheTlsIsClosed() throws Exception {
        X509Bundle first = PKI.server(Algorithm.ecp256);
        X509Bundle second = PKI.server(Algorithm.ecp256);
        X509Bundle third = PKI.server(Algorithm.ecp256);
        TestPki.install(first, KeyFormat.PKCS8, chain, key);
        ListenTlsSettings fast = new ListenTlsSettings(chain, key, Duration.ofMillis(50), Provider.AUTO);
        try (FileWatcher watcher = new FileWatcher("mapgate-tls-reload")) {
            ServerTls tls = ServerTls.load(fast);
            tls.startWatching(watcher);
            tls.startWatching(watcher);

            TestPki.install(second, KeyFormat.PKCS8, chain, key);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!tls.servedCertificate().equals(second.getCertificate()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(tls.servedCertificate()).as("the watcher swapped in the rotated pair within 5 s")
                    .isEqualTo(second.getCertificate());
            assertThat(watcherThreads()).as("a daemon, so it never holds up the JVM's exit").hasSize(1)
                    .allMatch(Thread::isDaemon);
            assertThat(LogCapture.linesFrom(LOGGER)).as("started twice, announced once")
                    .filteredOn(l -> l.contains("event=tls-loaded") && l.contains("serial=" + serialOf(first)))
                    .hasSize(1);

            tls.close();
            TestPki.install(third, KeyFormat.PKCS8, chain, key);
            Thread.sleep(300);
            assertThat(tls.servedCertificate()).as("a closed TLS is no longer checked, while the watcher runs on")
                    .isEqualTo(second.getCertificate());
        }
        assertThat(watcherThreadsAfterStopping()).as("closing the watcher stops its thread").isEmpty();
        assertNoKeyMaterialLogged(first, second);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private ListenTlsSettings settings(Provider provider) {
        return new ListenTlsSettings(chain, key, Duration.ofSeconds(10), provider);
    }

    private TlsFileProblem loadFails() {
        TlsFileProblem problem = catchThrowableOfType(TlsFileProblem.class, () -> ServerTls.load(settings(Provider.AUTO)).close());
        assertThat(problem).as("the pair must be refused").isNotNull();
        assertThat(problem.getMessage()).as("one line, for the config error").doesNotContain("\n");
        return problem;
    }

    private static void requireProvider(Provider provider) {
        if (provider == Provider.OPENSSL) {
            BoringSsl.require();
        }
    }

    private static String serialOf(X509Bundle bundle) {
        return bundle.getCertificate().getSerialNumber().toString(16);
    }

    private static Path secretFolder(Path mount, String name, X509Bundle server) throws Exception {
        Path folder = Files.createDirectories(mount.resolve(name));
        Files.writeString(folder.resolve("tls.crt"), TestPki.chainPem(server));
        Files.writeString(folder.resolve("tls.key"), TestPki.keyPem(server.getKeyPair(), KeyFormat.TRADITIONAL));
        return folder;
    }

    private static List<Thread> watcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("mapgate-tls-reload") && t.isAlive()).toList();
    }

    /** A stopped thread may take a moment to leave the list of live ones. */
    private static List<Thread> watcherThreadsAfterStopping() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!watcherThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return watcherThreads();
    }

    private static void assertNoKeyMaterialLogged(X509Bundle... pairs) {
        for (X509Bundle pair : pairs) {
            for (KeyFormat format : List.of(KeyFormat.PKCS8, KeyFormat.TRADITIONAL)) {
                String body = TestPki.keyPem(pair.getKeyPair(), format).lines()
                        .filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
                assertThat(LogCapture.lines()).as("no log line ever holds key material").noneMatch(l -> l.contains(body));
            }
        }
    }

    private static double reloads(Metrics metrics, String result) {
        return metrics.registry().get("mapgate.reloads").tag("what", "tls").tag("result", result).counter().count();
    }
}
