package dev.mapgate.gate;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrSetTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no DNS lookup happens
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv4-mapped IPv6 address kept as IPv6, as a dual-stack socket may report it. */
    private static InetAddress mapped(int a, int b, int c, int d) throws UnknownHostException {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xFF;
        bytes[11] = (byte) 0xFF;
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        return Inet6Address.getByAddress(null, bytes, -1);
    }

    @Test
    void sentryAddressesAreAllowedAndTheirNeighboursAreNot() {
        CidrSet sentry = CidrSet.parse(List.of("35.184.238.160/32", "104.155.159.182/32"));

        assertThat(sentry.contains(ip("35.184.238.160"))).isTrue();
        assertThat(sentry.contains(ip("104.155.159.182"))).isTrue();
        assertThat(sentry.contains(ip("35.184.238.161"))).isFalse();
        assertThat(sentry.contains(ip("104.155.159.183"))).isFalse();
    }

    @Test
    void aSlash24ContainsItsHostsOnly() {
        CidrSet list = CidrSet.parse(List.of("203.0.113.0/24"));

        assertThat(list.contains(ip("203.0.113.7"))).isTrue();
        assertThat(list.contains(ip("203.0.113.255"))).isTrue();
        assertThat(list.contains(ip("203.0.114.1"))).isFalse();
        assertThat(list.contains(ip("203.0.112.255"))).isFalse();
    }

    @Test
    void aBareAddressIsASingleHost() {
        CidrSet list = CidrSet.parse(List.of("192.0.2.10", "::1"));

        assertThat(list.contains(ip("192.0.2.10"))).isTrue();
        assertThat(list.contains(ip("192.0.2.11"))).isFalse();
        assertThat(list.contains(ip("::1"))).isTrue();
        assertThat(list.contains(ip("::2"))).isFalse();
    }

    @Test
    void anIpv6RangeContainsItsAddressesOnly() {
        CidrSet list = CidrSet.parse(List.of("2001:db8::/32"));

        assertThat(list.contains(ip("2001:db8::1"))).isTrue();
        assertThat(list.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(list.contains(ip("2001:db9::1"))).isFalse();
        assertThat(list.contains(ip("192.0.2.1"))).as("an IPv6 range never contains an IPv4 client").isFalse();
    }

    @Test
    void anIpv6PrefixLongerThan64BitsIsHonoured() {
        CidrSet list = CidrSet.parse(List.of("2001:db8::100/120"));

        assertThat(list.contains(ip("2001:db8::1ff"))).isTrue();
        assertThat(list.contains(ip("2001:db8::200"))).isFalse();
    }

    @Test
    void zeroPrefixContainsEveryIpv4AddressButNoIpv6() {
        CidrSet all = CidrSet.parse(List.of("0.0.0.0/0"));

        assertThat(all.contains(ip("1.2.3.4"))).isTrue();
        assertThat(all.contains(ip("255.255.255.255"))).isTrue();
        assertThat(all.contains(ip("0.0.0.0"))).isTrue();
        assertThat(all.contains(ip("2001:db8::1"))).isFalse();
    }

    @Test
    void anIpv4MappedClientIsMatchedAsIpv4() throws UnknownHostException {
        CidrSet list = CidrSet.parse(List.of("203.0.113.0/24"));

        assertThat(list.contains(mapped(203, 0, 113, 7)))
                .as("a dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d")
                .isTrue();
        assertThat(list.contains(mapped(203, 0, 114, 1))).isFalse();
    }

    @Test
    void anIpv4MappedEntryMatchesTheIpv4Client() throws UnknownHostException {
        CidrSet list = CidrSet.parse(List.of("::ffff:203.0.113.0/120"));

        assertThat(list.contains(ip("203.0.113.9"))).isTrue();
        assertThat(list.contains(mapped(203, 0, 113, 9))).isTrue();
        assertThat(list.contains(ip("203.0.114.9"))).isFalse();
    }

    @Test
    void nullAddressIsNotContained() {
        assertThat(CidrSet.parse(List.of("0.0.0.0/0")).contains(null)).isFalse();
    }

    @Test
    void emptyListContainsNothing() {
        CidrSet empty = CidrSet.parse(List.of());

        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.contains(ip("127.0.0.1"))).isFalse();
        assertThat(CidrSet.parse(List.of("::1")).isEmpty()).isFalse();
    }

    @Test
    void hostNameIsRejectedWithoutDns() {
        assertThatThrownBy(() -> CidrSet.parse(List.of("sentry.io")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sentry.io'")
                .hasMessageContaining("not an IPv4 or IPv6 address literal");
        assertThatThrownBy(() -> CidrSet.parse(List.of("localhost/32")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'localhost/32'");
    }

    @Test
    void malformedAddressesAreRejected() {
        for (String entry : List.of("1.2.3", "256.1.1.1", "1.2.3.4.5", "[::1]", "fe80::1%eth0", "010.0.0.1", "")) {
            assertThatThrownBy(() -> CidrSet.parse(List.of(entry)))
                    .as(entry)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + entry + "'");
        }
    }

    @Test
    void prefixLengthOutOfRangeIsRejected() {
        assertThatThrownBy(() -> CidrSet.parse(List.of("10.0.0.0/33")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'10.0.0.0/33'")
                .hasMessageContaining("out of range 0..32");
        assertThatThrownBy(() -> CidrSet.parse(List.of("2001:db8::/129")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range 0..128");
    }

    @Test
    void prefixLengthThatIsNotANumberIsRejected() {
        for (String entry : List.of("10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8",
                "10.0.0.0/0008")) {
            assertThatThrownBy(() -> CidrSet.parse(List.of(entry)))
                    .as(entry)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + entry + "'")
                    .hasMessageContaining("not a number");
        }
    }

    @Test
    void hostBitsBeyondThePrefixAreRejectedWithTheNetworkSuggested() {
        assertThatThrownBy(() -> CidrSet.parse(List.of("10.0.0.1/8")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'10.0.0.1/8'")
                .hasMessageContaining("host bits")
                .hasMessageContaining("10.0.0.0/8");
        assertThatThrownBy(() -> CidrSet.parse(List.of("2001:db8::1/32")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2001:db8::/32");
    }
}
