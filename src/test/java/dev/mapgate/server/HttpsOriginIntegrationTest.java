package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mapgate in front of a real HTTPS origin on loopback, with a test CA made at test time and
 * trusted through {@code origin.tls.ca-file}: assets and maps arrive intact, and an
 * origin whose certificate does not prove the configured name (or comes from another CA) is
 * refused with 502, never trusted blindly.
 */
class HttpsOriginIntegrationTest {

    static final String TOKEN = "s3cr3t-sentry-token-tls-7c2e";
    static final String PROXY_LOGGER = "dev.mapgate.origin.ProxyHandler";

    @TempDir
    static Path dir;

    /** The CA mapgate is told to trust, as a PEM file. */
    static Path caPem;
    /** A second, unrelated CA, as a PEM file. */
    static Path otherCaPem;

    /** Certificate for DNS localhost and IP 127.0.0.1, issued by the trusted CA. */
    static TestOrigin origin;
    static final ConcurrentLinkedQueue<List<String>> originSni = new ConcurrentLinkedQueue<>();
    /** Certificate for DNS localhost only (no IP SAN), issued by the trusted CA. */
    static TestOrigin localhostOnlyOrigin;
    /** Certificate for localhost and 127.0.0.1, but issued by the other CA. */
    static TestOrigin otherCaOrigin;

    @BeforeAll
    static void start() throws Exception {
        X509Bundle ca = newCa("CN=mapgate test CA");
        X509Bundle otherCa = newCa("CN=some other CA");
        caPem = Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM(), StandardCharsets.US_ASCII);
        otherCaPem = Files.writeString(dir.resolve("other-ca.pem"), otherCa.getCertificatePEM(), StandardCharsets.US_ASCII);

        X509Bundle localhostAndIp = serverCertificate().addSanDnsName("localhost").addSanIpAddress("127.0.0.1").buildIssuedBy(ca);
        X509Bundle localhostOnly = serverCertificate().addSanDnsName("localhost").buildIssuedBy(ca);
        X509Bundle fromOtherCa = serverCertificate().addSanDnsName("localhost").addSanIpAddress("127.0.0.1").buildIssuedBy(otherCa);

        origin = TestOrigin.https(serverTls(localhostAndIp, originSni));
        localhostOnlyOrigin = TestOrigin.https(serverTls(localhostOnly, new ConcurrentLinkedQueue<>()));
        otherCaOrigin = TestOrigin.https(serverTls(fromOtherCa, new ConcurrentLinkedQueue<>()));
    }

    @AfterAll
    static void stop() {
        origin.close();
        localhostOnlyOrigin.close();
        otherCaOrigin.close();
        assertThat(LogCapture.lines()).as("no log line may ever contain the token")
                .noneMatch(l -> l.contains(TOKEN));
    }

    @BeforeEach
    void clearOrigins() {
        origin.clear();
        originSni.clear();
        localhostOnlyOrigin.clear();
        otherCaOrigin.clear();
    }

    @Test
    void anAssetAndAnAuthorisedMapArriveFromTheHttpsOriginByteForByte() throws Exception {
        try (TestMapgate mapgate = mapgate("https://localhost:" + origin.port(), caPem);
             RawClient c = mapgate.connect()) {
            Response asset = c.get("/assets/app.js");
            assertThat(asset.status()).as("the asset is fetched over TLS from the trusted origin: %s", asset).isEqualTo(200);
            assertThat(asset.body()).as("the asset is passed on byte for byte")
                    .isEqualTo(TestOrigin.APP_JS.getBytes(StandardCharsets.UTF_8));

            Response map = c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN);
            assertThat(map.status()).as("a token from an allowed address gets the map: %s", map).isEqualTo(200);
            assertThat(map.body()).as("the map is passed on byte for byte")
                    .isEqualTo(TestOrigin.APP_MAP.getBytes(StandardCharsets.UTF_8));
            assertThat(map.header("Cache-Control")).as("the gated map stays uncacheable over an https origin too")
                    .isEqualTo("private, no-store");
        }
        assertThat(origin.seen()).extracting(TestOrigin.Seen::uri)
                .as("both requests reached the HTTPS origin")
                .containsExactly("/assets/app.js", "/assets/app.js.map");
    }

    @Test
    void theOriginSeesTheConfiguredHostNameInHostAndSni() throws Exception {
        try (TestMapgate mapgate = mapgate("https://localhost:" + origin.port(), caPem);
             RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
        }
        assertThat(origin.lastSeen().header("Host"))
                .as("Host names the configured origin, not the client's Host and not the address connected to")
                .isEqualTo("localhost:" + origin.port());
        assertThat(originSni).as("the TLS handshake reached the origin's key manager").isNotEmpty();
        // The JDK sends no SNI for a single-label name such as "localhost" (nor for an IP
        // address); when it sends one, it must be the configured host and nothing else.
        assertThat(originSni).as("any SNI the origin saw names the configured host")
                .allSatisfy(names -> assertThat(names).isSubsetOf("localhost"));
    }

    @Test
    void theTrustFileCanHoldSeveralCasAndAnyOfThemIsTrusted() throws Exception {
        Path bundle = Files.writeString(dir.resolve("bundle.pem"),
                Files.readString(otherCaPem) + Files.readString(caPem), StandardCharsets.US_ASCII);
        try (TestMapgate mapgate = mapgate("https://localhost:" + origin.port(), bundle);
             RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js");
            assertThat(r.status()).as("the origin's CA is the second certificate in the bundle: %s", r).isEqualTo(200);
        }
    }

    @Test
    void aCertificateThatDoesNotNameTheConfiguredHostIsRefusedWith502() throws Exception {
        // Control: the same origin and CA work under the name the certificate does carry.
        try (TestMapgate byName = mapgate("https://localhost:" + localhostOnlyOrigin.port(), caPem);
             RawClient c = byName.connect()) {
            assertThat(c.get("/assets/app.js").status())
                    .as("the certificate is trusted for localhost, so only the name can fail below").isEqualTo(200);
        }
        localhostOnlyOrigin.clear();

        try (TestMapgate byAddress = mapgate("https://127.0.0.1:" + localhostOnlyOrigin.port(), caPem);
             RawClient c = byAddress.connect()) {
            Response r = c.get("/assets/app.js");
            assertThat(r.status()).as("a certificate without 127.0.0.1 must not be accepted for https://127.0.0.1: %s", r)
                    .isEqualTo(502);
            Response map = c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN);
            assertThat(map.status()).as("an authorised map is not fetched from an unverified origin either")
                    .isEqualTo(502);
            assertThat(map.bodyText()).as("the map never leaves the unverified origin").doesNotContain("mappings");
        }
        assertThat(localhostOnlyOrigin.seen()).as("no request is sent to an origin whose identity failed").isEmpty();
        LogCapture.awaitLine(PROXY_LOGGER, "event=origin-failure", "status=502 reason=tls-handshake", "SSLHandshakeException", "127.0.0.1");
    }

    @Test
    void aCertificateFromACaOtherThanTheTrustedOneIsRefusedWith502() throws Exception {
        try (TestMapgate mapgate = mapgate("https://localhost:" + otherCaOrigin.port(), caPem);
             RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js");
            assertThat(r.status()).as("a certificate from a CA outside ca-file is refused: %s", r)
                    .isEqualTo(502);
        }
        assertThat(otherCaOrigin.seen()).as("no request is sent to an untrusted origin").isEmpty();
        LogCapture.awaitLine(PROXY_LOGGER, "event=origin-failure", "status=502 reason=tls-handshake", "SSLHandshakeException",
                "certification path");
    }

    @Test
    void withoutTrustCertificatesTheJdkTrustStoreAloneDecidesAndRefusesTheTestCa() throws Exception {
        try (TestMapgate mapgate = mapgate("https://localhost:" + origin.port(), null);
             RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js");
            assertThat(r.status()).as("the test CA is trusted only through ca-file: %s", r)
                    .isEqualTo(502);
        }
        assertThat(origin.seen()).as("no request is sent to an untrusted origin").isEmpty();
    }

    @Test
    void insecureAcceptsAnyCertificateForAnyNameWhenAskedExplicitly() throws Exception {
        try (TestMapgate mapgate = TestMapgate.start(dir, """
                origin { url = "https://127.0.0.1:%d", tls.insecure = true }
                gate {
                  allow-ips = ["127.0.0.1"]
                  token.tokens = [ { name = "sentry", value = "%s" } ]
                }
                """.formatted(otherCaOrigin.port(), TOKEN));
             RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js");
            assertThat(r.status()).as("wrong CA and wrong name, yet served: that is what insecure means: %s", r)
                    .isEqualTo(200);
        }
        assertThat(otherCaOrigin.seen()).hasSize(1);
    }

    private static TestMapgate mapgate(String url, Path trust) {
        return TestMapgate.start(dir, """
                origin {
                  url = "%s"
                  connect-timeout = 5s
                  response-timeout = 5s
                  %s
                }
                gate {
                  allow-ips = ["127.0.0.1"]
                  token.tokens = [ { name = "sentry", value = "%s" } ]
                }
                """.formatted(url, trust == null ? "" : "tls.ca-file = \"" + trust + "\"", TOKEN));
    }

    private static X509Bundle newCa(String subject) throws Exception {
        return new CertificateBuilder().subject(subject).ecp256().setIsCertificateAuthority(true).buildSelfSigned();
    }

    private static CertificateBuilder serverCertificate() {
        return new CertificateBuilder().subject("CN=localhost").ecp256().addExtendedKeyUsageServerAuth();
    }

    /** A server SSLContext presenting {@code cert}, recording the SNI names of each handshake. */
    private static SSLContext serverTls(X509Bundle cert, ConcurrentLinkedQueue<List<String>> sni) throws Exception {
        X509KeyManager keys = (X509KeyManager) cert.toKeyManagerFactory().getKeyManagers()[0];
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new SniRecordingKeyManager(keys, sni)}, null, null);
        return context;
    }

    /** Delegates to the real key manager; notes the requested server names when choosing a key. */
    private static final class SniRecordingKeyManager extends X509ExtendedKeyManager {

        private final X509KeyManager delegate;
        private final ConcurrentLinkedQueue<List<String>> sni;

        SniRecordingKeyManager(X509KeyManager delegate, ConcurrentLinkedQueue<List<String>> sni) {
            this.delegate = delegate;
            this.sni = sni;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
            if (handshake instanceof ExtendedSSLSession extended) {
                sni.add(extended.getRequestedServerNames().stream()
                        .map(name -> name instanceof SNIHostName host ? host.getAsciiName() : name.toString())
                        .toList());
            }
            return delegate instanceof X509ExtendedKeyManager extendedDelegate
                    ? extendedDelegate.chooseEngineServerAlias(keyType, issuers, engine)
                    : delegate.chooseServerAlias(keyType, issuers, null);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }
}
