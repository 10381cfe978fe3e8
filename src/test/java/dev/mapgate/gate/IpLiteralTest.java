package dev.mapgate.gate;

import io.netty.util.NetUtil;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class IpLiteralTest {

    private static InetAddress entry(String text) {
        return IpLiteral.entry(text, 0, text.length());
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no DNS lookup happens
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anIpv4AddressIsReadWithOrWithoutAPort() {
        assertThat(entry("203.0.113.7")).isEqualTo(ip("203.0.113.7"));
        assertThat(entry("203.0.113.7:4711")).as("the port is dropped").isEqualTo(ip("203.0.113.7"));
        assertThat(entry("0.0.0.0")).isEqualTo(ip("0.0.0.0"));
        assertThat(entry("255.255.255.255:65535")).isEqualTo(ip("255.255.255.255"));
        assertThat(entry("10.0.0.1:1")).isEqualTo(ip("10.0.0.1"));
    }

    @Test
    void anIpv6AddressIsReadBareOrInBracketsWithAnOptionalPort() {
        assertThat(entry("2001:db8::1")).isEqualTo(ip("2001:db8::1"));
        assertThat(entry("[2001:db8::1]")).isEqualTo(ip("2001:db8::1"));
        assertThat(entry("[2001:db8::1]:443")).isEqualTo(ip("2001:db8::1"));
        assertThat(entry("2001:DB8:0:0:0:0:0:1")).as("hex in either case, every group written").isEqualTo(ip("2001:db8::1"));
        assertThat(entry("2001:0db8:0000:0000:0000:0000:0000:0001")).as("leading zeros are hex, not octal: harmless")
                .isEqualTo(ip("2001:db8::1"));
        assertThat(entry("::")).isEqualTo(ip("::"));
        assertThat(entry("::1")).isEqualTo(ip("::1"));
        assertThat(entry("fe80::")).isEqualTo(ip("fe80::"));
        assertThat(entry("1:2:3:4:5:6:7::")).as(":: may stand for a single group").isEqualTo(ip("1:2:3:4:5:6:7:0"));
        assertThat(entry("::2:3:4:5:6:7:8")).isEqualTo(ip("0:2:3:4:5:6:7:8"));
        assertThat(entry("1:2:3:4:5:6:192.0.2.1")).as("an IPv4 tail in a full address")
                .isEqualTo(ip("1:2:3:4:5:6:c000:201"));
        assertThat(entry("64:ff9b::192.0.2.1")).isEqualTo(ip("64:ff9b::c000:201"));
    }

    @Test
    void aBareIpv6AddressNeverCarriesAPortInAList() {
        assertThat(entry("2001:db8::1:80")).as("the last group is a group, not a port")
                .isEqualTo(ip("2001:db8::1:80"));
    }

    @Test
    void anIpv4MappedIpv6AddressBecomesItsIpv4Address() {
        assertThat(entry("::ffff:203.0.113.7")).isInstanceOf(Inet4Address.class).isEqualTo(ip("203.0.113.7"));
        assertThat(entry("[::FFFF:cb00:7107]:80")).isInstanceOf(Inet4Address.class).isEqualTo(ip("203.0.113.7"));
    }

    @Test
    void theDeprecatedIpv4CompatibleFormStaysIpv6UnlikeInNetty() {
        assertThat(NetUtil.createByteArrayFromIpAddressString("::203.0.113.7"))
                .as("Netty reads ::a.b.c.d as ::ffff:a.b.c.d; if this changes, the comment in IpLiteral is stale")
                .hasSize(16).endsWith(0xFF, 0xFF, 203, 0, 113, 7);
        assertThat(entry("::203.0.113.7")).as("::cb00:7107 is not 203.0.113.7")
                .isInstanceOf(Inet6Address.class).isEqualTo(ip("::cb00:7107"));
    }

    @Test
    void whatNettyAcceptsButTwoParsersCouldReadDifferentlyIsRefused() {
        for (String lenientInNetty : List.of("01.2.3.4", "1.2.3.04", "fe80::1%eth0", "::ffff:01.2.3.4")) {
            assertThat(NetUtil.createByteArrayFromIpAddressString(lenientInNetty))
                    .as("Netty accepts '%s': the reason IpLiteral is hand-written", lenientInNetty).isNotNull();
            assertThat(entry(lenientInNetty)).as("'%s'", lenientInNetty).isNull();
        }
    }

    @Test
    void anythingThatIsNotExactlyOneAddressIsRefused() {
        for (String bad : List.of("", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "1..2.3", ".1.2.3.4",
                "1.2.3.4.", "0x7f.0.0.1", "1.2.3.4/24", "1. 2.3.4", " 1.2.3.4", "1.2.3.4 ", "00.1.2.3",
                "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:123456", "1.2.3.4:8a", "1.2.3.4:+80",
                "1.2.3.4:_abc", ":80", "1.2.3.4:80:80",
                "[fe80::1%25eth0]", "[1.2.3.4]", "[1.2.3.4]:80", "[::1", "::1]", "[::1]x", "[::1]:", "[::1]:0",
                "[::1]:65536", "[::1]]", "[[::1]]", "[]", "[::1]:80]",
                ":", ":::", ":1::", "1:", "1:::2", "1::2::3", "12345::1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "g::1", "::ffff:1.2.3", "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4",
                "1.2.3.4::", "::1.2.3.4:5",
                "localhost", "example.com", "unknown", "_hidden", "1.2.3.4\u0000", "\uff11.2.3.4", "\u0663::1",
                "1.2.3.\u0664")) {
            assertThat(entry(bad)).as("'%s'", bad).isNull();
        }
    }

    @Test
    void somethingLongerThanAnyAddressIsRefusedWithoutBeingRead() {
        assertThat(entry("0000:0000:0000:0000:0000:ffff:255.255.255.255")).as("45 characters, the longest IPv6")
                .isEqualTo(ip("255.255.255.255"));
        assertThat(entry("[0000:0000:0000:0000:0000:0000:255.255.255.255]:65535")).isNotNull();
        assertThat(entry("[0000:0000:0000:0000:0000:0000:255.255.255.255]:065535")).isNull();
        assertThat(entry("1".repeat(10_000))).isNull();
    }

    @Test
    void onlyTheGivenSpanIsRead() {
        String line = "6.6.6.6, 203.0.113.7 ,x";

        assertThat(IpLiteral.entry(line, 9, 20)).isEqualTo(ip("203.0.113.7"));
        assertThat(IpLiteral.entry(line, 9, 21)).as("the span is not trimmed for the caller").isNull();
        assertThat(IpLiteral.entry("[::1]:80,", 0, 5)).isEqualTo(ip("::1"));
        assertThat(IpLiteral.entry("::1", 0, 1)).isNull();
    }

    @Test
    void aForwardedNodeNeedsBracketsAroundIpv6AndMayHideItsPort() {
        assertThat(IpLiteral.node("192.0.2.60")).isEqualTo(ip("192.0.2.60"));
        assertThat(IpLiteral.node("192.0.2.60:4711")).isEqualTo(ip("192.0.2.60"));
        assertThat(IpLiteral.node("[2001:db8:cafe::17]")).isEqualTo(ip("2001:db8:cafe::17"));
        assertThat(IpLiteral.node("[2001:db8:cafe::17]:4711")).isEqualTo(ip("2001:db8:cafe::17"));
        assertThat(IpLiteral.node("192.0.2.60:_abc")).as("an obfuscated port is ignored: only the address matters")
                .isEqualTo(ip("192.0.2.60"));
        assertThat(IpLiteral.node("[::1]:_x-Y.z_9")).isEqualTo(ip("::1"));

        for (String bad : List.of("2001:db8:cafe::17", "2001:db8:cafe::17:4711", "unknown", "UNKNOWN", "_hidden",
                "_", "192.0.2.60:_", "192.0.2.60:_a b", "192.0.2.60:_a/b", "192.0.2.60:", "[::1]:_", "example.com",
                "")) {
            assertThat(IpLiteral.node(bad)).as("'%s'", bad).isNull();
        }
    }

    @Test
    void everyAddressReadsBackAsItselfWhicheverWayItIsWritten() throws UnknownHostException {
        Random random = new Random(7239);
        for (int n = 0; n < 2_000; n++) {
            byte[] bytes = new byte[n % 2 == 0 ? 4 : 16];
            random.nextBytes(bytes);
            if (n % 3 == 0 && bytes.length == 16) {
                bytes[random.nextInt(16)] = 0; // zero runs, so that :: shows up
                bytes[random.nextInt(16)] = 0;
                Arrays.fill(bytes, 4, 4 + random.nextInt(12), (byte) 0);
            }
            InetAddress expected = InetAddress.getByAddress(bytes);
            String full = expected.getHostAddress();
            String compressed = NetUtil.bytesToIpAddress(bytes);

            assertThat(entry(full)).as(full).isEqualTo(expected);
            assertThat(entry(compressed)).as(compressed).isEqualTo(expected);
            assertThat(entry(compressed.toUpperCase())).as(compressed).isEqualTo(expected);
            if (bytes.length == 16) {
                assertThat(entry("[" + compressed + "]:8080")).as(compressed).isEqualTo(expected);
                assertThat(IpLiteral.node("[" + full + "]")).as(full).isEqualTo(expected);
            }
        }
    }
}
