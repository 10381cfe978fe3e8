package dev.mapgate.gate;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static dev.mapgate.gate.ClientAddressResolverTest.ATTACKER;
import static dev.mapgate.gate.ClientAddressResolverTest.CLIENT;
import static dev.mapgate.gate.ClientAddressResolverTest.LOAD_BALANCER;
import static dev.mapgate.gate.ClientAddressResolverTest.assertClient;
import static dev.mapgate.gate.ClientAddressResolverTest.assertUnknown;
import static dev.mapgate.gate.ClientAddressResolverTest.ip;
import static dev.mapgate.gate.ClientAddressResolverTest.resolve;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code client-ip.header = "Forwarded"}: RFC 7239, read from the right like X-Forwarded-For. */
class ClientAddressResolverForwardedTest {

    private static ClientAddress forwarded(String... lines) {
        return resolve("Forwarded", LOAD_BALANCER, lines);
    }

    @Test
    void theRfcExamplesGiveTheirForNode() {
        assertClient(forwarded("for=192.0.2.60;proto=http;by=203.0.113.43"), ip("192.0.2.60"), "extra parameters");
        assertClient(forwarded("For=\"[2001:db8:cafe::17]:4711\""), ip("2001:db8:cafe::17"), "quoted IPv6 with a port");
        assertClient(forwarded("for=\"[2001:db8:cafe::17]\""), ip("2001:db8:cafe::17"), "quoted IPv6");
        assertClient(forwarded("for=192.0.2.43, for=198.51.100.17"), ip("192.0.2.43"),
                "198.51.100.17 is in the trusted CDN range, so the element left of it is the client");
    }

    @Test
    void anUntrustedPeerIsNeverParsedSoEvenBrokenQuotingIsIgnored() {
        assertThat(resolve("Forwarded", ATTACKER, "for=\"203.0.113.7")).as("an open quote from the client")
                .isEqualTo(ClientAddress.untrustedPeer(ATTACKER));
        assertThat(resolve("Forwarded", ATTACKER, "for=10.0.0.1")).as("a trusted-looking claim")
                .isEqualTo(ClientAddress.untrustedPeer(ATTACKER));
    }

    @Test
    void theClientIsTheRightmostUntrustedElement() {
        assertClient(forwarded("for=6.6.6.6, for=203.0.113.7"), CLIENT, "the leftmost element is the client's claim");
        assertClient(forwarded("for=6.6.6.6", "for=203.0.113.7;proto=https"), CLIENT, "over two lines");
        assertClient(forwarded("for=203.0.113.7;proto=https, for=198.51.100.20;by=10.0.0.5"), CLIENT,
                "a trusted CDN edge is skipped");
        assertClient(forwarded("for=10.1.1.1, for=198.51.100.20"), ip("10.1.1.1"), "all trusted: the leftmost");
        assertClient(forwarded(), LOAD_BALANCER, "no header: the peer reports nobody");
        assertClient(forwarded(" ", ", ,"), LOAD_BALANCER, "an empty list: the same");
    }

    @Test
    void parameterNamesAreCaseInsensitiveAndOtherParametersDoNotMatter() {
        assertClient(forwarded("FOR=203.0.113.7"), CLIENT, "FOR");
        assertClient(forwarded("proto=https;by=\"[2001:db8::9]\";host=\"example.com:443\";for=203.0.113.7;x=y"),
                CLIENT, "for= last among others");
    }

    @Test
    void aCommaInsideQuotesDoesNotStartAnElement() {
        assertUnknown(forwarded("for=\"6.6.6.6, 203.0.113.7\""),
                "Forwarded element 1 from the right has for=\"6.6.6.6, 203.0.113.7\", which is not an IP address",
                "one element whose node is two addresses: neither is the client");
        assertClient(forwarded("by=\"x, for=6.6.6.6\";for=203.0.113.7"), CLIENT,
                "a for= inside another parameter's quotes is text, not a parameter");
    }

    @Test
    void anEscapedQuoteDoesNotEndTheQuotedString() {
        assertClient(forwarded("for=\"\\\", for=6.6.6.6\", for=203.0.113.7"), CLIENT,
                "the element left of the client is one quoted-string holding a comma and a quote");
        assertClient(forwarded("for=\"\\203.0.113.7\""), CLIENT, "a quoted-pair stands for its character");
    }

    @Test
    void brokenQuotingMakesTheWholeHeaderUnknown() {
        assertUnknown(forwarded("for=\"6.6.6.6, for=203.0.113.7"), "Forwarded line 1 is malformed at character",
                "an open quote: where the elements are cannot be told");
        assertUnknown(forwarded("for=\"6.6.6.6", "for=203.0.113.7"), "line 1 is malformed",
                "even on a line left of the hop's: fail closed rather than guess how the lines were meant");
        assertUnknown(forwarded("for=203.0.113.7, for=\"[::1]\\"), "malformed", "an escape at the end");
        assertUnknown(forwarded("for=203.0.113.7 junk"), "malformed", "garbage after a value");
    }

    @Test
    void aNodeThatIsNoAddressMakesTheClientUnknownWhenItIsRead() {
        assertUnknown(forwarded("for=unknown"), "has for=\"unknown\", which is not an IP address",
                "RFC 7239 lets a hop hide its client; then there is no address to allow");
        assertUnknown(forwarded("for=_hidden"), "has for=\"_hidden\"", "an obfuscated node");
        assertUnknown(forwarded("for=\"_gazonk\""), "has for=\"_gazonk\"", "the RFC's own obfuscated example");
        assertUnknown(forwarded("for=assets.example.com"), "which is not an IP address", "a host name");
        assertUnknown(forwarded("for=203.0.113.7, for=unknown;by=10.0.0.5"), "element 1 from the right",
                "right of the client, so it has to be read");
        assertClient(forwarded("for=unknown, for=_hidden;for=_x, proto=http, for=203.0.113.7"), CLIENT,
                "left of the client none of them is read");
    }

    @Test
    void anElementWithoutExactlyOneForIsUnknownWhenItIsRead() {
        assertUnknown(forwarded("for=203.0.113.7, proto=https;by=10.0.0.5"),
                "Forwarded element 1 from the right has no for= parameter", "no for");
        assertUnknown(forwarded("for=203.0.113.7;for=198.51.100.20"), "has 2 for= parameters",
                "two: which one the hop meant cannot be told");
        assertUnknown(forwarded(";"), "has no for= parameter", "an element of empty pairs");
    }

    @Test
    void ipv6NodesNeedBracketsAndMayGoUnquotedAsNothingElseCanBeMeant() {
        assertUnknown(forwarded("for=\"2001:db8::7\""), "which is not an IP address",
                "bare IPv6: is the last group a port? The RFC requires brackets");
        assertUnknown(forwarded("for=\"2001:db8::7:4711\""), "which is not an IP address", "never a port on bare IPv6");
        assertUnknown(forwarded("for=2001:db8::7"), "which is not an IP address", "nor unquoted");
        assertClient(forwarded("for=[2001:db8::7]:4711"), ip("2001:db8::7"),
                "unquoted brackets: ':', '[' and ']' delimit nothing in Forwarded, so the value is unambiguous");
        assertClient(forwarded("for=\"[::ffff:203.0.113.7]\""), CLIENT, "an IPv4-mapped node is its IPv4 address");
    }

    @Test
    void anIpv4NodeMayCarryANumericOrObfuscatedPort() {
        assertClient(forwarded("for=\"203.0.113.7:4711\""), CLIENT, "quoted, as the RFC requires");
        assertClient(forwarded("for=203.0.113.7:4711"), CLIENT, "unquoted, as some hops write it");
        assertClient(forwarded("for=\"203.0.113.7:_p1\""), CLIENT, "an obfuscated port hides nothing the gate needs");
        assertUnknown(forwarded("for=\"203.0.113.7:0\""), "which is not an IP address", "port 0");
        assertUnknown(forwarded("for=\"01.2.3.4\""), "which is not an IP address", "a leading zero");
    }

    @Test
    void theWalkGivesUpAfterSixtyFourTrustedElements() {
        List<String> trusted = Collections.nCopies(ClientAddressResolver.MAX_ENTRIES, "for=10.0.0.9");
        assertClient(forwarded(String.join(", ", trusted)), ip("10.0.0.9"), "64: the leftmost is the client");

        String[] lines = new String[ClientAddressResolver.MAX_ENTRIES + 200];
        lines[0] = "for=203.0.113.7";
        Arrays.fill(lines, 1, lines.length, "for=10.0.0.9");
        assertUnknown(forwarded(lines), "Forwarded lists more than 64 trusted hops", "264 elements: never read to the end");
    }

    @Test
    void aProblemNeverEchoesControlCharactersOrMuchClientText() {
        ClientAddress result = forwarded("for=203.0.113.7, for=\"\u0080\\\u00ff" + "y".repeat(300) + "\"");

        assertUnknown(result, "has for=\"??" + "y".repeat(38) + "...\"", "obs-text becomes '?'; 40 characters at most");
    }
}
