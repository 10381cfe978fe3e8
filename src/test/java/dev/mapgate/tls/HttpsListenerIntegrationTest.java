package dev.mapgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mapgate.config.ConfigProblem;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.Pattern;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import dev.mapgate.tls.HttpsConnection.Reply;
import dev.mapgate.tls.NettyHandshake.Outcome;
import dev.mapgate.tls.TestPki.KeyFormat;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder.Algorithm;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * mapgate with {@code listen.tls}, started through the real config loader and reached over
 * loopback sockets by TLS clients that check its certificate against a test CA: the same tests
 * against the JDK's TLS and BoringSSL. The origin is an HTTP server on loopback.
 */
class HttpsListenerIntegrationTest {

    static final TestPki PKI = new TestPki();
    static final SSLContext CLIENT = PKI.clientTrustingRoot();
    static final byte[] APP_JS = TestOrigin.APP_JS.getBytes(StandardCharsets.UTF_8);
    static final String TOKEN = "tls-listener-token-5d1";

    static TestOrigin origin;

    @TempDir
    Path dir;
    Path chain;
    Path key;

    @BeforeAll
    static void startOrigin() throws IOException {
        origin = new TestOrigin();
    }

    @AfterAll
    static void stopOrigin() {
        origin.close();
        assertThat(LogCapture.lines()).as("no log line may ever contain the token").noneMatch(l -> l.contains(TOKEN));
    }

    @BeforeEach
    void files() {
        chain = dir.resolve("tls.crt");
        key = dir.resolve("tls.key");
        origin.clear();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void anAssetArrivesOverHttpsFromTheConfiguredCertificate(String provider) throws Exception {
        X509Bundle served = PKI.server(Algorithm.ecp256);
        try (TestMapgate mapgate = start(provider, served, "");
             HttpsConnection c = HttpsConnection.open(mapgate.address(), CLIENT)) {
            Reply r = c.get("/assets/app.js");
            assertThat(r.status()).as("the asset is served over HTTPS").isEqualTo(200);
            assertThat(r.body()).as("byte for byte").isEqualTo(APP_JS);
            assertThat(origin.lastSeen().header("X-Forwarded-Proto")).as("the origin learns the client came over HTTPS")
                    .isEqualTo("https");
            Reply map = c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN);
            assertThat(map.status()).as("Sentry's request with its token gets the map, on the same connection")
                    .isEqualTo(200);
            assertThat(map.body()).isEqualTo(TestOrigin.APP_MAP.getBytes(StandardCharsets.UTF_8));
            Reply big = c.get("/big?size=" + BIG);
            assertThat(big.body()).as("a body far larger than a TLS record arrives whole").hasSize(BIG);
            assertThat(Pattern.firstMismatch(big.body(), 0, BIG)).as("and intact").isEqualTo(-1);
            assertThat(c.peerCertificate()).as("the certificate from certificate-chain is the one presented")
                    .isEqualTo(served.getCertificate());
            assertThat(c.session().getPeerCertificates()).as("with its intermediate, so the client can build the path")
                    .hasSize(2);
            assertThat(c.session().getProtocol()).as("a client that can do TLS 1.3 gets it").isEqualTo("TLSv1.3");
        }
        assertThat(LogCapture.linesFrom(ServerTls.class.getName())).as("startup names the implementation in use")
                .anyMatch(l -> l.contains("event=tls-loaded implementation=" + (provider.equals("jdk") ? "JDK" : "BoringSSL"))
                        && l.contains("serial=" + served.getCertificate().getSerialNumber().toString(16)));
    }

    /** Several MiB: hundreds of TLS records, and more than the socket buffers hold at once. */
    static final int BIG = 6 * 1024 * 1024 + 17;

    static Stream<Arguments> providersAndCertificateTypes() {
        return Stream.of("jdk", "openssl").flatMap(provider ->
                Stream.of(Arguments.of(provider, Algorithm.ecp256, "ECDSA"), Arguments.of(provider, Algorithm.rsa2048, "RSA")));
    }

    @ParameterizedTest(name = "{0}, {2} certificate")
    @MethodSource("providersAndCertificateTypes")
    void tls12ClientsGetEachEcdheAeadSuite(String provider, Algorithm algorithm, String signer) throws Exception {
        try (TestMapgate mapgate = start(provider, PKI.server(algorithm), "")) {
            for (String cipher : List.of("AES_128_GCM_SHA256", "AES_256_GCM_SHA384", "CHACHA20_POLY1305_SHA256")) {
                String suite = "TLS_ECDHE_" + signer + "_WITH_" + cipher;
                try (HttpsConnection c = HttpsConnection.open(mapgate.address(), CLIENT, p -> {
                    p.setProtocols(new String[] {"TLSv1.2"});
                    p.setCipherSuites(new String[] {suite});
                })) {
                    assertThat(c.session().getCipherSuite()).as("a TLS 1.2 client offering only %s gets it", suite)
                            .isEqualTo(suite);
                    assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void aClientOfferingOnlyCbcOrNonForwardSecretSuitesIsRefused(String provider) throws Exception {
        // An RSA certificate, so that RSA key exchange would be possible if the server allowed it.
        try (TestMapgate mapgate = start(provider, PKI.server(Algorithm.rsa2048), "")) {
            String[] weak = {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
                    "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"};
            SSLHandshakeException refused = catchThrowableOfType(SSLHandshakeException.class,
                    () -> HttpsConnection.open(mapgate.address(), CLIENT, p -> {
                        p.setProtocols(new String[] {"TLSv1.2"});
                        p.setCipherSuites(weak);
                    }).close());
            assertThat(refused).as("CBC and static-RSA/DHE suites share nothing with the server's list").isNotNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void aClientLimitedToTls11OrOlderIsRefused(String provider) throws Exception {
        BoringSsl.require();
        try (TestMapgate mapgate = start(provider, PKI.server(Algorithm.ecp256), "")) {
            Outcome tls12 = NettyHandshake.with(mapgate.address(), PKI.nettyClient(SslProvider.OPENSSL, "TLSv1.2"));
            assertThat(tls12.protocol()).as("control: the same BoringSSL client gets in with TLS 1.2 (%s)", tls12.failure())
                    .isEqualTo("TLSv1.2");
            for (String old : List.of("TLSv1.1", "TLSv1")) {
                Outcome outcome = NettyHandshake.with(mapgate.address(), PKI.nettyClient(SslProvider.OPENSSL, old));
                assertThat(outcome.failure()).as("a client limited to %s completes no handshake", old).isNotNull();
                assertThat(outcome.protocol()).isNull();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void alpnSettlesOnHttp11AndAnH2OnlyClientIsNotTurnedAway(String provider) throws Exception {
        try (TestMapgate mapgate = start(provider, PKI.server(Algorithm.ecp256), "")) {
            try (HttpsConnection c = HttpsConnection.open(mapgate.address(), CLIENT,
                    p -> p.setApplicationProtocols(new String[] {"h2", "http/1.1"}))) {
                assertThat(c.applicationProtocol()).as("h2 is offered first, but mapgate speaks HTTP/1.1 only")
                        .isEqualTo("http/1.1");
                assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
            }
            try (HttpsConnection c = HttpsConnection.open(mapgate.address(), CLIENT,
                    p -> p.setApplicationProtocols(new String[] {"h2"}))) {
                assertThat(c.applicationProtocol()).as("no common protocol: no ALPN answer, and no failed handshake")
                        .isEmpty();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void plainHttpToTheTlsPortGetsNoAsset(String provider) throws Exception {
        try (TestMapgate mapgate = start(provider, PKI.server(Algorithm.ecp256), "");
             RawClient plain = RawClient.recording(mapgate.address(), 5000)) {
            plain.send(RawClient.request("GET", "/assets/app.js"));
            String received = new String(plain.readUntilClosed(), StandardCharsets.ISO_8859_1);
            assertThat(received).as("a plain-HTTP request is no TLS record: the connection is closed unanswered")
                    .doesNotContain("HTTP/1.1", "sourceMappingURL");
        }
        assertThat(origin.seen()).as("nothing reached the origin").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void aRotationLeavesOpenConnectionsServingAndNewOnesGetTheNewCertificate(String provider) throws Exception {
        X509Bundle before = PKI.server(Algorithm.ecp256);
        X509Bundle after = PKI.server(Algorithm.rsa2048);
        // The watcher must not get there first: this test swaps when it chooses.
        try (TestMapgate mapgate = start(provider, before, "reload-interval = 1h");
             HttpsConnection old = HttpsConnection.open(mapgate.address(), CLIENT)) {
            assertThat(old.get("/assets/app.js").status()).isEqualTo(200);

            TestPki.install(after, KeyFormat.TRADITIONAL, chain, key);
            assertThat(mapgate.tls().reloadIfChanged()).as("the rotated pair is loaded").isTrue();

            Reply second = old.get("/assets/app.js");
            assertThat(second.status()).as("the connection opened before the rotation serves its next request")
                    .isEqualTo(200);
            assertThat(second.body()).isEqualTo(APP_JS);
            assertThat(old.peerCertificate().getSerialNumber()).as("on the certificate it started with")
                    .isEqualTo(before.getCertificate().getSerialNumber());
            try (HttpsConnection fresh = HttpsConnection.open(mapgate.address(), CLIENT)) {
                assertThat(fresh.peerCertificate().getSerialNumber())
                        .as("a new connection gets the new certificate, not a session resumed from the old one")
                        .isEqualTo(after.getCertificate().getSerialNumber());
                assertThat(fresh.get("/assets/app.js").status()).isEqualTo(200);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void theWatcherServesARotatedCertificateWithoutBeingAsked(String provider) throws Exception {
        X509Bundle after = PKI.server(Algorithm.ecp256);
        try (TestMapgate mapgate = start(provider, PKI.server(Algorithm.ecp256), "reload-interval = 200ms")) {
            TestPki.install(after, KeyFormat.PKCS8, chain, key);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean rotated = false;
            while (!rotated && System.nanoTime() < deadline) {
                try (HttpsConnection c = HttpsConnection.open(mapgate.address(), CLIENT)) {
                    rotated = c.peerCertificate().equals(after.getCertificate());
                }
                Thread.sleep(rotated ? 0 : 50);
            }
            assertThat(rotated).as("within 10 s, a reload interval of 200 ms serves the new certificate").isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void aStaticDirectoryOriginServesItsFilesOverHttps(String provider) throws Exception {
        Path assets = Files.createDirectories(dir.resolve("site/assets"));
        Files.write(assets.resolve("app.js"), APP_JS);
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(4).nextBytes(large);
        Files.write(assets.resolve("vendor.js"), large);
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        String config = config(provider, "").replaceFirst("origin \\{[^}]*}", "origin.directory = \"site\"");
        try (TestMapgate mapgate = TestMapgate.in(dir).wholeFile(dir.resolve("mapgate.conf"), config).start();
             HttpsConnection c = HttpsConnection.open(mapgate.address(), CLIENT)) {
            Reply r = c.get("/assets/app.js");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).as("the file's bytes, encrypted like any other body").isEqualTo(APP_JS);
            Reply big = c.get("/assets/vendor.js");
            assertThat(big.status()).isEqualTo(200);
            assertThat(big.body()).as("a file of many chunks arrives whole, on the same connection").isEqualTo(large);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void aProxyHeaderAheadOfTheHandshakeNamesTheClientOfAnHttpsConnection(String provider) throws Exception {
        if (provider.equals("openssl")) {
            BoringSsl.require();
        }
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        String config = config(provider, "")
                .replace("header-timeout = 5s", "header-timeout = 5s\n    proxy-protocol = on")
                .replace("allow-ips = [\"127.0.0.1\"]", "allow-ips = [\"35.184.238.160\"]")
                + "mapgate.client-ip.trusted-proxies = [\"127.0.0.1/32\"]\n";
        try (TestMapgate mapgate = TestMapgate.in(dir).wholeFile(dir.resolve("mapgate.conf"), config).start()) {
            byte[] sentry = "PROXY TCP4 35.184.238.160 127.0.0.1 40000 443\r\n".getBytes(StandardCharsets.US_ASCII);
            try (HttpsConnection c = HttpsConnection.openAfter(mapgate.address(), CLIENT, sentry)) {
                Reply map = c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN);
                assertThat(map.status()).as("the balancer's PROXY header precedes TLS on the wire").isEqualTo(200);
            }
            assertThat(origin.lastSeen().header("X-Forwarded-For")).isEqualTo("35.184.238.160");

            byte[] stranger = "PROXY TCP4 198.51.100.9 127.0.0.1 40001 443\r\n".getBytes(StandardCharsets.US_ASCII);
            try (HttpsConnection c = HttpsConnection.openAfter(mapgate.address(), CLIENT, stranger)) {
                assertThat(c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN).status()).isEqualTo(404);
            }
        }
    }

    @Test
    void aKeyThatDoesNotFitStopsStartupNamingTheSetting() throws Exception {
        TestPki.install(PKI.server(Algorithm.ecp256), KeyFormat.PKCS8, chain, key);
        TestPki.replace(key, TestPki.keyPem(PKI.server(Algorithm.ecp256).getKeyPair(), KeyFormat.PKCS8));
        Path file = dir.resolve("mapgate.conf");
        Files.writeString(file, config("jdk", ""));

        ConfigProblem problem = catchThrowableOfType(ConfigProblem.class, () -> SettingsLoader.load(file));
        assertThat(problem).as("a pair that cannot serve must not start").isNotNull();
        assertThat(problem.getMessage()).as("the error names the setting to fix")
                .startsWith("mapgate.listen.tls.private-key: " + key + " does not belong to the certificate");
    }

    private TestMapgate start(String provider, X509Bundle served, String tlsExtra) throws Exception {
        if (provider.equals("openssl")) {
            BoringSsl.require();
        }
        TestPki.install(served, KeyFormat.TRADITIONAL, chain, key);
        return TestMapgate.in(dir).wholeFile(dir.resolve("mapgate.conf"), config(provider, tlsExtra)).start();
    }

    /** Relative file names, which are resolved against the config file's folder. */
    private static String config(String provider, String tlsExtra) {
        return """
                mapgate {
                  listen {
                    host = "127.0.0.1"
                    port = 0
                    header-timeout = 5s
                    tls { certificate-chain = "tls.crt", private-key = "tls.key", provider = %s
                      %s
                    }
                  }
                  admin { host = "127.0.0.1", port = 0 }
                  origin { url = "%s", connect-timeout = 5s, response-timeout = 5s }
                  gate { allow-ips = ["127.0.0.1"], token.tokens = [ { name = "sentry", value = "%s" } ] }
                }
                """.formatted(provider, tlsExtra, origin.url(), TOKEN);
    }
}
