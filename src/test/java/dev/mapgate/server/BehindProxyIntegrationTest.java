package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * mapgate behind a CDN or load balancer, on real sockets. 127.0.0.1 plays the trusted hop (the
 * CDN edge or the balancer) and 127.0.0.2 an attacker who reaches mapgate directly; Sentry is
 * 35.184.238.160, an address that can only ever arrive as a report from the trusted hop.
 */
class BehindProxyIntegrationTest {

    static final String TOKEN = "edge-token-7c1e55aa";
    static final String SENTRY = "35.184.238.160";
    static final String ATTACKER = "198.51.100.9";
    static final String MAP = "/assets/app.js.map";

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static Metrics xffMetrics = Metrics.inMemory();
    static Metrics proxyProtocolMetrics = Metrics.inMemory();
    static TestMapgate behindXff;
    static TestMapgate behindForwarded;
    static TestMapgate behindProxyProtocol;

    @BeforeAll
    static void start() throws Exception {
        origin = new TestOrigin();
        String common = """
                origin.url = "%s"
                gate {
                  allow-ips = ["%s/32", "2001:db8::7"]
                  token.tokens = [ { name = "sentry", value = "%s" } ]
                }
                """.formatted(origin.url(), SENTRY, TOKEN);
        behindXff = TestMapgate.in(dir).metrics(xffMetrics).config(common + """
                client-ip.trusted-proxies = ["127.0.0.1/32", "10.0.0.0/8"]
                """).start();
        behindForwarded = TestMapgate.start(dir, common + """
                client-ip { trusted-proxies = ["127.0.0.1/32"], header = "Forwarded" }
                """);
        // The balancer at 127.0.0.1 speaks PROXY; behind it sits a CDN range that reports in XFF.
        behindProxyProtocol = TestMapgate.in(dir).metrics(proxyProtocolMetrics).config(common + """
                listen.proxy-protocol = on
                client-ip.trusted-proxies = ["127.0.0.1/32", "192.0.2.0/24"]
                """).start();
    }

    @AfterAll
    static void stop() {
        behindXff.close();
        behindForwarded.close();
        behindProxyProtocol.close();
        origin.close();
    }

    @BeforeEach
    void clearOrigin() {
        origin.clear();
    }

    // ---- X-Forwarded-For ----------------------------------------------------------------------

    @Test
    void sentryReportedByTheTrustedHopGetsTheMapAndTheOriginSeesSentrysAddress() throws Exception {
        try (RawClient edge = behindXff.connectFrom("127.0.0.1")) {
            Response r = edge.get(MAP, "X-Forwarded-For: " + SENTRY, "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(TestOrigin.APP_MAP);
        }
        assertThat(origin.lastSeen().headers().get("X-forwarded-for"))
                .as("the origin gets the one address the gate judged").containsExactly(SENTRY);
        assertThat(LogCapture.awaitLine("mapgate.access", "client=" + SENTRY + " peer=127.0.0.1 ", "status=200"))
                .contains("decision=allowed");
    }

    @Test
    void aSpoofedLeftmostEntryIsNeverTheClient() throws Exception {
        // The attacker sends "X-Forwarded-For: <Sentry>"; the CDN appends the attacker's real address.
        try (RawClient edge = behindXff.connectFrom("127.0.0.1")) {
            Response r = edge.get(MAP, "X-Forwarded-For: " + SENTRY + ", " + ATTACKER, "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).as("the stolen token does not help from the attacker's address").isEqualTo(404);
        }
        assertThat(origin.seen()).isEmpty();
        LogCapture.awaitLine("mapgate.access", "client=" + ATTACKER + " peer=127.0.0.1 ", "reason=ip");
    }

    @Test
    void aSpoofInjectedAsASecondHeaderLineIsReadInOrderAndLosesTheSameWay() throws Exception {
        try (RawClient edge = behindXff.connectFrom("127.0.0.1")) {
            Response r = edge.get(MAP, "X-Forwarded-For: " + SENTRY, "X-Forwarded-For: " + ATTACKER + ",",
                    "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(404);
        }
        assertThat(origin.seen()).isEmpty();
        LogCapture.awaitLine("mapgate.access", "client=" + ATTACKER + " peer=127.0.0.1 ", "reason=ip");
    }

    @Test
    void severalTrustedHopsAreSkippedFromTheRight() throws Exception {
        // Sentry -> CDN (10.1.2.3, trusted) -> load balancer (127.0.0.1, trusted) -> mapgate.
        try (RawClient edge = behindXff.connectFrom("127.0.0.1")) {
            Response r = edge.get(MAP, "X-Forwarded-For: 6.6.6.6, " + SENTRY + ", 10.1.2.3", "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(origin.lastSeen().headers().get("X-forwarded-for")).containsExactly(SENTRY);
    }

    @Test
    void anUntrustedPeersHeaderIsIgnoredEntirely() throws Exception {
        try (RawClient attacker = behindXff.connectFrom("127.0.0.2")) {
            Response r = attacker.get(MAP, "X-Forwarded-For: " + SENTRY, "X-Sentry-Token: " + TOKEN);
            assertThat(r.status()).isEqualTo(404);

            Response asset = attacker.get("/assets/app.js", "X-Forwarded-For: " + SENTRY);
            assertThat(asset.status()).isEqualTo(200);
        }
        assertThat(origin.lastSeen().headers().get("X-forwarded-for"))
                .as("the claim is replaced by the real peer before it reaches the origin").containsExactly("127.0.0.2");
    }

    @Test
    void bracketedIpv6WithAPortIsReadAsTheAddressItNames() throws Exception {
        try (RawClient edge = behindXff.connectFrom("127.0.0.1")) {
            Response r = edge.get(MAP, "X-Forwarded-For: [2001:db8::7]:51234", "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(origin.lastSeen().headers().get("X-forwarded-for")).containsExactly("2001:db8::7");
    }

    @Test
    void aMalformedEntryWhereTheClientShouldBeDeniesTheMapButNotTheAssetAndIsCounted() throws Exception {
        double before = unknownAddresses();
        try (RawClient edge = behindXff.connectFrom("127.0.0.1")) {
            Response map = edge.get(MAP, "X-Forwarded-For: " + SENTRY + ", unknown", "X-Sentry-Token: " + TOKEN);
            assertThat(map.status()).as("fail closed: the hop's report cannot be read").isEqualTo(404);

            Response asset = edge.get("/assets/app.js", "X-Forwarded-For: 35.184.238.1600");
            assertThat(asset.status()).as("assets are public anyway").isEqualTo(200);
        }
        assertThat(origin.seen()).singleElement()
                .satisfies(seen -> assertThat(seen.headers()).doesNotContainKey("X-forwarded-for"));
        LogCapture.awaitLine("mapgate.access", "client=- peer=127.0.0.1 ", "reason=client-address");
        assertThat(unknownAddresses() - before).isEqualTo(2.0);
    }

    // ---- Forwarded (RFC 7239) -----------------------------------------------------------------

    @Test
    void forwardedForWithQuotingAndParametersIsRead() throws Exception {
        try (RawClient edge = behindForwarded.connectFrom("127.0.0.1")) {
            Response v4 = edge.get(MAP, "Forwarded: for=" + SENTRY + ";proto=https;by=10.0.0.1", "X-Sentry-Token: " + TOKEN);
            assertThat(v4.status()).isEqualTo(200);

            Response v6 = edge.get(MAP, "Forwarded: For=\"[2001:db8::7]:4711\"", "X-Sentry-Token: " + TOKEN);
            assertThat(v6.status()).isEqualTo(200);
        }
        assertThat(origin.lastSeen().headers()).as("the origin gets X-Forwarded-For instead").doesNotContainKey("Forwarded");
    }

    @Test
    void aCommaInsideAQuotedForwardedValueDoesNotSplitItIntoAnAcceptableAddress() throws Exception {
        try (RawClient edge = behindForwarded.connectFrom("127.0.0.1")) {
            Response r = edge.get(MAP, "Forwarded: for=\"" + ATTACKER + ", " + SENTRY + "\"", "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(404);
        }
        assertThat(origin.seen()).isEmpty();
        LogCapture.awaitLine("mapgate.access", "client=- peer=127.0.0.1 ", "reason=client-address");
    }

    @Test
    void theTrustedHopsRightmostForwardedElementWinsOverTheClientsOwn() throws Exception {
        try (RawClient edge = behindForwarded.connectFrom("127.0.0.1")) {
            Response r = edge.get(MAP, "Forwarded: for=" + SENTRY + ", for=" + ATTACKER, "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(404);
        }
        LogCapture.awaitLine("mapgate.access", "client=" + ATTACKER + " peer=127.0.0.1 ", "path=/assets/app.js.map",
                "reason=ip");
    }

    // ---- PROXY protocol -----------------------------------------------------------------------

    @Test
    void aV1HeaderFromTheTrustedBalancerNamesTheClient() throws Exception {
        try (RawClient balancer = behindProxyProtocol.connectFrom("127.0.0.1")) {
            balancer.send("PROXY TCP4 " + SENTRY + " 127.0.0.1 40001 8080\r\n");
            Response r = balancer.get(MAP, "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(TestOrigin.APP_MAP);
            assertThat(balancer.get(MAP, "X-Sentry-Token: " + TOKEN).status())
                    .as("the header speaks for the whole connection").isEqualTo(200);
        }
        assertThat(origin.lastSeen().headers().get("X-forwarded-for")).containsExactly(SENTRY);
        LogCapture.awaitLine("mapgate.access", "client=" + SENTRY + " peer=127.0.0.1 ");
    }

    @Test
    void aV2HeaderFromTheTrustedBalancerNamesTheClient() throws Exception {
        try (RawClient balancer = behindProxyProtocol.connectFrom("127.0.0.1")) {
            balancer.send(ProxyProtocolHandlersTest.v2Proxy(new byte[] {35, (byte) 184, (byte) 238, (byte) 160},
                    new byte[] {127, 0, 0, 1}, 40002, 8080));
            Response r = balancer.get(MAP, "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(200);
        }
    }

    @Test
    void aProxyHeaderNamingATrustedCdnLetsTheCdnsXForwardedForSpeak() throws Exception {
        try (RawClient balancer = behindProxyProtocol.connectFrom("127.0.0.1")) {
            balancer.send("PROXY TCP4 192.0.2.44 127.0.0.1 40003 8080\r\n");
            Response r = balancer.get(MAP, "X-Forwarded-For: " + SENTRY, "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(200);
        }
    }

    @Test
    void aProxyHeaderNamingAnUntrustedClientMakesItsXForwardedForWorthless() throws Exception {
        try (RawClient balancer = behindProxyProtocol.connectFrom("127.0.0.1")) {
            balancer.send("PROXY TCP4 " + ATTACKER + " 127.0.0.1 40004 8080\r\n");
            Response r = balancer.get(MAP, "X-Forwarded-For: " + SENTRY, "X-Sentry-Token: " + TOKEN);

            assertThat(r.status()).isEqualTo(404);
        }
    }

    @Test
    void afterAProxyHeaderWithoutASourceTheClientsOwnXForwardedForIsNotBelieved() throws Exception {
        byte[] local = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00};
        try (RawClient balancer = behindProxyProtocol.connectFrom("127.0.0.1")) {
            balancer.send(local);
            Response map = balancer.get(MAP, "X-Forwarded-For: " + SENTRY, "X-Sentry-Token: " + TOKEN);
            assertThat(map.status()).as("a layer-4 balancer passes the client's header on as the client wrote it")
                    .isEqualTo(404);
            assertThat(balancer.get("/assets/app.js").status()).as("a health check still gets its asset").isEqualTo(200);
        }
        LogCapture.awaitLine("mapgate.access", "client=- peer=127.0.0.1 ", "reason=client-address");
    }

    /**
     * Each line names Sentry (or the allowed 2001:db8::7) and is one that Netty's decoder reads
     * without complaint, though the specification forbids its spelling; a balancer does not
     * write such a line, so whoever did is not to be believed.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "PROXY TCP4 35.184.238.160 127.0.0.1 40010 8080 ",
            "PROXY TCP4 35.184.238.160 127.0.0.1 40010 8080   ",
            "PROXY TCP4 35.184.238.160 127.0.0.1 040010 8080",
            "PROXY TCP4 35.184.238.160 127.0.0.1 40010 +8080",
            "PROXY TCP4 035.184.238.160 127.0.0.1 40010 8080",
            "PROXY TCP4 35.184.238.160 127.000.0.1 40010 8080",
            "PROXY TCP6 2001:db8::7 ::1 40010 8080 ",
            "PROXY TCP6 [2001:db8::7] ::1 40010 8080",
            "PROXY TCP6 2001:db8::7%eth0 ::1 40010 8080",
            "PROXY TCP6 ::ffff:035.184.238.160 ::1 40010 8080"})
    void aV1HeaderThatNettyReadsButTheSpecificationForbidsIsRefusedAndServesNothing(String line) throws Exception {
        double refusedBefore = proxyHeadersRefused();
        try (RawClient balancer = behindProxyProtocol.connectFrom("127.0.0.1")) {
            balancer.readTimeout(5000).send(line + "\r\n" + RawClient.request("GET", MAP, "X-Sentry-Token: " + TOKEN));

            assertThat(balancer.readUntilClosed()).as("closed unanswered after %s", line).isEmpty();
        }
        assertThat(origin.seen()).as("nothing reaches the origin").isEmpty();
        assertThat(proxyHeadersRefused() - refusedBefore).as("counted as a refused PROXY header").isEqualTo(1.0);
    }

    @Test
    void aV1UnknownHeaderMayCarryAnythingBeforeItsCrlfAndLeavesTheClientUnknown() throws Exception {
        try (RawClient balancer = behindProxyProtocol.connectFrom("127.0.0.1")) {
            balancer.send("PROXY UNKNOWN " + SENTRY + "  \t whatever\r\n");

            assertThat(balancer.get("/assets/app.js").status()).as("the specification tells us to accept it")
                    .isEqualTo(200);
            assertThat(balancer.get(MAP, "X-Sentry-Token: " + TOKEN).status())
                    .as("an address after UNKNOWN is never read").isEqualTo(404);
        }
    }

    @Test
    void aProxyHeaderFromAnUntrustedPeerClosesTheConnectionUnanswered() throws Exception {
        for (byte[] header : new byte[][] {
                ("PROXY TCP4 " + SENTRY + " 127.0.0.1 40005 8080\r\n").getBytes(StandardCharsets.US_ASCII),
                ProxyProtocolHandlersTest.v2Proxy(new byte[] {35, (byte) 184, (byte) 238, (byte) 160},
                        new byte[] {127, 0, 0, 1}, 40006, 8080)}) {
            try (RawClient attacker = behindProxyProtocol.connectFrom("127.0.0.2")) {
                attacker.send(header);
                attacker.send(RawClient.request("GET", MAP, "X-Sentry-Token: " + TOKEN));

                assertThat(attacker.readUntilClosed()).as("not a single byte of response").isEmpty();
            }
        }
        assertThat(origin.seen()).isEmpty();
    }

    @Test
    void withProxyProtocolOnAnUntrustedPeerSpeakingPlainHttpIsJudgedByItsOwnAddress() throws Exception {
        try (RawClient direct = behindProxyProtocol.connectFrom("127.0.0.2")) {
            assertThat(direct.get("/assets/app.js").status()).isEqualTo(200);
            assertThat(direct.get(MAP, "X-Forwarded-For: " + SENTRY, "X-Sentry-Token: " + TOKEN).status()).isEqualTo(404);
        }
    }

    @Test
    void theTrustedBalancerWithoutAProxyHeaderIsCutOff() throws Exception {
        try (RawClient balancer = behindProxyProtocol.connectFrom("127.0.0.1")) {
            balancer.send(RawClient.request("GET", "/assets/app.js"));

            assertThat(balancer.readUntilClosed()).as("a misconfigured balancer is loud, not guessed around").isEmpty();
        }
    }

    private static double proxyHeadersRefused() {
        return proxyProtocolMetrics.registry().get("mapgate.proxy.protocol.refused").counter().count();
    }

    private static double unknownAddresses() {
        return xffMetrics.registry().get("mapgate.client.address.unknown").counter().count();
    }
}
