package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PROXY v2 header whose TLVs run past its end, from a trusted balancer. Netty 4.2.7 kept the
 * TLVs it had read before the bad one and never released them (netty/netty#16866): each such
 * connection left its read buffer behind, for good. mapgate closes the connection unanswered, and
 * its direct memory must not move.
 */
@Heavy
class MalformedProxyHeaderTest {

    private static final int CONNECTIONS = 1_000;
    private static final int WARM_UP = 100;
    /** Well under what even a small buffer per connection, times 1,000, would add. */
    private static final long ALLOWED_GROWTH = 512 * 1024;

    @TempDir
    Path dir;

    @Test
    void aThousandMalformedV2HeadersLeaveNettysDirectMemoryWhereItStarted() throws Exception {
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     listen.proxy-protocol = on
                     client-ip.trusted-proxies = ["127.0.0.1/32"]
                     origin.url = "%s"
                     gate { allow-ips = ["192.0.2.10"], token.tokens = [ { name = "sentry", value = "proxy-v2-token-55a" } ] }
                     """.formatted(origin.url()))) {
            byte[] malformed = malformedHeaderThenRequest();
            for (int i = 0; i < WARM_UP; i++) {
                assertRefused(mapgate, malformed);
            }
            long before = Measure.nettyDirect();

            for (int i = 0; i < CONNECTIONS; i++) {
                assertRefused(mapgate, malformed);
            }
            // The last connections may still be closing on the event loop.
            Measure.eventually(() -> Measure.nettyDirect() - before <= ALLOWED_GROWTH, Duration.ofSeconds(5));
            long after = Measure.nettyDirect();

            System.out.printf("proxy-v2-tlv: %d malformed headers from a trusted peer; Netty direct memory %d KiB"
                    + " before, %d KiB after%n", CONNECTIONS, before / 1024, after / 1024);
            assertThat(after - before).as("direct memory grown by %d malformed PROXY v2 headers (%d -> %d bytes)",
                    CONNECTIONS, before, after).isLessThanOrEqualTo(ALLOWED_GROWTH);
            try (RawClient balancer = mapgate.connect()) {
                balancer.send("PROXY TCP4 192.0.2.10 127.0.0.1 40001 443\r\n");
                assertThat(balancer.get("/assets/app.js").bodyText()).as("a good header is still served")
                        .isEqualTo(TestOrigin.APP_JS);
            }
        }
    }

    private static void assertRefused(TestMapgate mapgate, byte[] malformed) throws Exception {
        try (RawClient balancer = mapgate.connect()) {
            balancer.readTimeout(5000).send(malformed);
            assertThat(balancer.readUntilClosed()).as("a connection with a bad PROXY header is closed unanswered").isEmpty();
        }
    }

    /**
     * v2, PROXY command, TCP over IPv4: the addresses, a NOOP TLV that fits, then an ALPN TLV that
     * declares 256 bytes where 2 are left in the header; a request follows, as it would.
     */
    private static byte[] malformedHeaderThenRequest() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("\r\n\r\n\0\r\nQUIT\n".getBytes(StandardCharsets.ISO_8859_1));
        out.write(0x21);
        out.write(0x11);
        int length = 12 + 5 + 5;
        out.write(length >> 8);
        out.write(length);
        out.writeBytes(new byte[] {(byte) 192, 0, 2, 10, 127, 0, 0, 1, (byte) 0x9c, 0x41, 0x01, (byte) 0xbb});
        out.writeBytes(new byte[] {0x04, 0x00, 0x02, 'o', 'k'});
        out.writeBytes(new byte[] {0x01, 0x01, 0x00, 'h', '2'});
        out.writeBytes(RawClient.request("GET", "/assets/app.js").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
