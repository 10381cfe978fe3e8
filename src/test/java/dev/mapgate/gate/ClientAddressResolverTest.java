package dev.mapgate.gate;

import dev.mapgate.gate.ClientAddressResolver.Format;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressResolverTest {

    /** A VPC load balancer, a CDN's edge range and an IPv6 range of the same CDN. */
    static final CidrSet TRUSTED = CidrSet.parse(List.of("10.0.0.0/8", "198.51.100.0/24", "2001:db8:ffff::/48"));
    static final InetAddress LOAD_BALANCER = ip("10.0.0.5");
    static final InetAddress CDN_EDGE = ip("198.51.100.20");
    static final InetAddress CLIENT = ip("203.0.113.7");
    static final InetAddress ATTACKER = ip("6.6.6.6");

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no DNS lookup happens
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static ClientAddress resolve(String header, InetAddress peer, String... lines) {
        return ClientAddressResolver.of(TRUSTED, header).resolve(peer, List.of(lines));
    }

    static ClientAddress xff(String... lines) {
        return resolve("X-Forwarded-For", LOAD_BALANCER, lines);
    }

    static void assertClient(ClientAddress actual, InetAddress client, String why) {
        assertThat(actual).as(why).isEqualTo(ClientAddress.behindTrustedProxy(client));
    }

    static void assertUnknown(ClientAddress actual, String problemPart, String why) {
        assertThat(actual.known()).as(why).isFalse();
        assertThat(actual.address()).as("an unknown client has no address to be allowed by").isNull();
        assertThat(actual.viaTrustedProxy()).isTrue();
        assertThat(actual.problem()).as("the debug log says what was wrong").contains(problemPart);
        assertPrintableAndShort(actual.problem());
    }

    static void assertPrintableAndShort(String problem) {
        assertThat(problem.chars().allMatch(c -> c >= 0x20 && c < 0x7F))
                .as("no control characters (or anything else) from the client reach the log: %s", problem).isTrue();
        assertThat(problem.length()).as("at most a short excerpt of client text: %s", problem).isLessThan(160);
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItsHeaderClaims() {
        Map<String, String> spoofs = Map.of(
                "X-Forwarded-For", "203.0.113.7, 10.0.0.1",
                "Forwarded", "for=203.0.113.7;by=10.0.0.1",
                "X-Real-IP", "203.0.113.7",
                "X-Client", "203.0.113.7");
        spoofs.forEach((header, spoof) -> {
            assertThat(resolve(header, ATTACKER, spoof)).as("%s from an untrusted peer", header)
                    .isEqualTo(ClientAddress.untrustedPeer(ATTACKER));
            assertThat(resolve(header, ATTACKER, "for=\"broken, junk\u0000", "unknown, 01.2.3.4"))
                    .as("%s: junk from an untrusted peer is not even read, so it cannot make it unknown", header)
                    .isEqualTo(ClientAddress.untrustedPeer(ATTACKER));
        });
    }

    @Test
    void aPeerWithoutAnIpAddressIsAnUntrustedClientWithNoAddress() {
        assertThat(xff("203.0.113.7")).isNotNull();
        assertThat(ClientAddressResolver.of(TRUSTED, "X-Forwarded-For").resolve(null, List.of("203.0.113.7")))
                .as("a Unix socket peer cannot be a trusted proxy").isEqualTo(new ClientAddress(null, false, null));
    }

    @Test
    void aTrustedPeerThatReportsNobodyIsItselfTheClient() {
        assertClient(xff(), LOAD_BALANCER, "no header line");
        assertClient(xff("", " \t "), LOAD_BALANCER, "only blank lines");
        assertClient(xff(" , ,", ","), LOAD_BALANCER, "an empty list is no report, as if the header were absent");
        assertClient(ClientAddressResolver.of(TRUSTED, "X-Forwarded-For").resolve(LOAD_BALANCER, null),
                LOAD_BALANCER, "no list at all");
    }

    @Test
    void theClientIsTheRightmostUntrustedEntryNotTheLeftmostClaim() {
        assertClient(xff("6.6.6.6, 203.0.113.7"), CLIENT, "the client wrote 6.6.6.6 itself; the load balancer wrote 203.0.113.7");
        assertClient(xff("203.0.113.7"), CLIENT, "the usual case: one hop, one entry");
    }

    @Test
    void trustedHopsAreSkippedFromTheRight() {
        assertClient(xff("203.0.113.7, 198.51.100.20"), CLIENT, "CDN edge, then load balancer");
        assertClient(xff("6.6.6.6, 203.0.113.7, 198.51.100.20, 10.0.0.9"), CLIENT, "CDN, two internal hops, a spoof");
        assertClient(xff("2001:db8::7, 2001:db8:ffff::1"), ip("2001:db8::7"), "an IPv6 CDN edge");
        assertClient(xff("203.0.113.7, ::ffff:198.51.100.20"), CLIENT, "an IPv4-mapped hop matches its IPv4 range");
    }

    @Test
    void aClientInsideATrustedRangeIsWalkedPastToTheEntryLeftOfIt() {
        assertClient(xff("203.0.113.7, 10.1.2.3"), CLIENT,
                "10.1.2.3 is trusted, so it is a hop, not the client: trusted ranges cannot be clients");
    }

    @Test
    void whenEveryEntryIsTrustedTheLeftmostIsTheClient() {
        assertClient(xff("10.1.1.1, 10.2.2.2, 198.51.100.3"), ip("10.1.1.1"), "an internal client behind two hops");
        assertClient(xff("10.1.1.1"), ip("10.1.1.1"), "an internal client behind one hop");
    }

    @Test
    void commasSplitEntriesWhereverTheyAre() {
        assertClient(xff("1.2.3.4,5.6.7.8"), ip("5.6.7.8"), "no space after the comma");
        assertClient(xff("6.6.6.6", "203.0.113.7"), CLIENT, "two lines are one list, in order");
        assertClient(xff("203.0.113.7", "198.51.100.20"), CLIENT, "each hop on its own line");
        assertClient(xff("203.0.113.7, 198.51.100.20", "", "10.0.0.9"), CLIENT, "blank lines in between");
        assertClient(xff("6.6.6.6,", "203.0.113.7"), CLIENT, "a client's trailing comma is only an empty element");
        assertClient(xff("203.0.113.7,"), CLIENT, "a trailing comma");
        assertClient(xff(", ,203.0.113.7,, ,\t"), CLIENT, "empty elements are ignored");
        assertClient(xff("\t203.0.113.7 \t"), CLIENT, "OWS around an entry");
        assertClient(xff("6.6.6.6, 10.0.0.9", "203.0.113.7"), CLIENT,
                "a trusted-looking address the client wrote does not hide the one the hop wrote after it");
    }

    @Test
    void anEntryThatIsNotAnAddressWhereTheClientHadToBeReadMakesItUnknown() {
        assertUnknown(xff("203.0.113.7, bogus"), "X-Forwarded-For entry 1 from the right is not an IP address: \"bogus\"",
                "a trusted hop wrote something unreadable: no guessing which side of it the client is");
        assertUnknown(xff("203.0.113.7, unknown, 10.0.0.9"), "entry 2 from the right", "unknown is not an address");
        assertUnknown(xff("203.0.113.7", "10.0.0.9:http"), "entry 1 from the right is not an IP address: \"10.0.0.9:http\"",
                "a port that is not a number");
    }

    @Test
    void junkLeftOfTheClientIsNeverRead() {
        assertClient(xff("<script>, unknown, 01.2.3.4, fe80::1%eth0, _hidden, 203.0.113.7"), CLIENT,
                "what the client claims about itself cannot make it unknown, or better known");
        assertClient(xff("x".repeat(4000) + ", 203.0.113.7, 198.51.100.20"), CLIENT, "nor can its length");
    }

    @Test
    void ipv6EntriesAreReadBareOrBracketedWithAPort() {
        assertClient(xff("2001:db8::7"), ip("2001:db8::7"), "bare");
        assertClient(xff("[2001:db8::7]"), ip("2001:db8::7"), "bracketed");
        assertClient(xff("[2001:db8::7]:443, 10.0.0.9"), ip("2001:db8::7"), "bracketed with a port");
        assertClient(xff("2001:db8::7:443"), ip("2001:db8::7:443"), "a bare IPv6 address never has a port");
    }

    @Test
    void ipv4EntriesMayCarryAPortAndIpv4MappedEntriesAreIpv4() {
        assertClient(xff("203.0.113.7:51234"), CLIENT, "Azure Application Gateway writes the port");
        assertClient(xff("::ffff:203.0.113.7"), CLIENT, "as gate.allow-ips matches it");
        assertThat(xff("::ffff:203.0.113.7").address().getAddress()).hasSize(4);
        assertClient(xff("203.0.113.7, ::ffff:10.0.0.9"), CLIENT, "an IPv4-mapped trusted hop is skipped");
    }

    @Test
    void anAmbiguousOrNonAddressEntryIsRefusedWhenItIsRead() {
        for (String bad : List.of("fe80::1%eth0", "[fe80::1%25eth0]", "01.2.3.4", "203.0.113.007", "localhost",
                "example.com", "unknown", "_hidden", "203.0.113.7:0", "203.0.113.7:99999", "[1.2.3.4]",
                "2001:db8::7]", "203.0.113. 7", "\"203.0.113.7\"", "203.0.113.7/32")) {
            assertUnknown(xff(bad), "entry 1 from the right is not an IP address", "'" + bad + "'");
        }
    }

    @Test
    void theWalkGivesUpAfterSixtyFourTrustedEntries() {
        List<String> hops = new ArrayList<>(Collections.nCopies(ClientAddressResolver.MAX_ENTRIES - 1, "10.0.0.9"));
        assertClient(xff(String.join(",", hops)), ip("10.0.0.9"), "63 trusted entries: the leftmost is the client");
        hops.add(0, "203.0.113.7");
        assertClient(xff(String.join(",", hops)), CLIENT, "the client as the 64th entry is still found");
        hops.set(0, "10.0.0.1");
        assertClient(xff(String.join(",", hops)), ip("10.0.0.1"), "64 trusted entries: the leftmost is the client");
        hops.add(0, "203.0.113.7");
        assertUnknown(xff(String.join(",", hops)), "lists more than 64 trusted hops",
                "the 65th entry is never read: a header like this is built to burn CPU");
        assertUnknown(xff(hops.toArray(String[]::new)), "lists more than 64 trusted hops", "the same over 65 lines");
    }

    @Test
    void aHugeHeaderCostsOnlyTheEntriesThatAreRead() {
        String huge = "6.6.6.6, ".repeat(50_000) + "203.0.113.7";

        assertClient(xff(huge), CLIENT, "the 50,000 entries left of the client are never parsed");
        assertUnknown(xff("203.0.113.7, " + "9".repeat(100_000)), "entry 1 from the right is not an IP address",
                "one overlong entry");
    }

    @Test
    void aProblemEchoesAShortPrintableExcerptOfClientText() {
        ClientAddress result = xff("203.0.113.7, \u0000\u001b[31m\"\\evil\u2028" + "x".repeat(500));

        assertUnknown(result, "\"??[31m??evil?" + "x".repeat(27) + "...\"",
                "control, quote, backslash and non-ASCII characters become '?', and 40 characters at most are kept");
    }

    @Test
    void aSingleAddressHeaderHoldsTheClientEvenWhenItIsTrusted() {
        assertClient(resolve("X-Real-IP", LOAD_BALANCER, "203.0.113.7"), CLIENT, "one address");
        assertClient(resolve("X-Real-IP", LOAD_BALANCER, " 203.0.113.7:4711\t"), CLIENT, "OWS and a port");
        assertClient(resolve("CF-Connecting-IP", CDN_EDGE, "2001:db8::7"), ip("2001:db8::7"), "IPv6");
        assertClient(resolve("True-Client-IP", CDN_EDGE, "10.0.0.9"), ip("10.0.0.9"),
                "no hop appends to a single-address header, so there is nothing to walk past");
        assertClient(resolve("Fastly-Client-IP", CDN_EDGE, "", "203.0.113.7", " "), CLIENT, "blank lines are no lines");
        assertClient(resolve("X-Real-IP", LOAD_BALANCER), LOAD_BALANCER, "no header: the peer reports nobody");
        assertClient(resolve("X-Real-IP", LOAD_BALANCER, " "), LOAD_BALANCER, "a blank header: the same");
    }

    @Test
    void aSingleAddressHeaderWithTwoAddressesIsUnknown() {
        assertUnknown(resolve("X-Real-IP", LOAD_BALANCER, "6.6.6.6", "203.0.113.7"), "more than one line",
                "the client may have sent its own line: which one the proxy wrote cannot be told");
        assertUnknown(resolve("X-Real-IP", LOAD_BALANCER, "6.6.6.6, 203.0.113.7"), "holds a list",
                "a hop that appends to it makes it a list we cannot read right");
        assertUnknown(resolve("X-Real-IP", LOAD_BALANCER, "203.0.113.7,"), "holds a list", "even a trailing comma");
        assertUnknown(resolve("X-Real-IP", LOAD_BALANCER, "unknown"), "X-Real-IP is not an IP address: \"unknown\"",
                "not an address");
    }

    @Test
    void theFormatFollowsTheHeaderNameInAnyCaseAndTheNameIsKeptAsConfigured() {
        Map<String, Format> formats = Map.of(
                "X-Forwarded-For", Format.LIST,
                "x-forwarded-for", Format.LIST,
                "FORWARDED", Format.FORWARDED,
                "x-real-ip", Format.SINGLE,
                "True-Client-IP", Format.SINGLE,
                "cf-connecting-ip", Format.SINGLE,
                "Fastly-Client-IP", Format.SINGLE,
                "X-Client-Chain", Format.LIST,
                "X-Forwarded", Format.LIST);
        formats.forEach((name, format) -> {
            ClientAddressResolver resolver = ClientAddressResolver.of(TRUSTED, name);
            assertThat(resolver.format()).as(name).isEqualTo(format);
            assertThat(resolver.header()).as("the name as configured, for the log and for removal").isEqualTo(name);
        });
    }

    @Test
    void aHeaderNameThatIsNotAnHttpTokenIsRefusedWithoutNamingTheKey() {
        assertThatThrownBy(() -> ClientAddressResolver.of(TRUSTED, "X Bad"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"X Bad\" is not a valid HTTP header name");
        for (String bad : List.of("", "X-Forwarded-For:", "X\u00e9", "X\tY", "(x)", "X/Y", "X-Y\r\n", "a,b", "{}")) {
            assertThatThrownBy(() -> ClientAddressResolver.of(TRUSTED, bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith("is not a valid HTTP header name")
                    .message().as("the loader prefixes the key").doesNotContain("client-ip");
        }
    }

    @Test
    void aHeaderWithAnotherJobIsRefusedAsTheClientIpHeader() {
        for (String name : List.of("Host", "content-length", "TRANSFER-ENCODING", "Connection", "Authorization",
                "Cookie", "Upgrade", "TE", "Trailer", "Proxy-Authorization", "Keep-Alive", "Proxy-Connection")) {
            assertThatThrownBy(() -> ClientAddressResolver.of(TRUSTED, name)).as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("\"" + name + "\" cannot carry the client address: ")
                    .message().as("one line saying why, without the key name").doesNotContain("\n", "client-ip");
        }
    }

    @Test
    void missingArgumentsAreProgrammingErrors() {
        assertThatThrownBy(() -> ClientAddressResolver.of(null, "X-Forwarded-For")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ClientAddressResolver.of(TRUSTED, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void peerOnlyTrustsNobody() {
        ClientAddressResolver peerOnly = ClientAddressResolver.peerOnly();

        assertThat(peerOnly.trustedProxies().isEmpty()).isTrue();
        assertThat(peerOnly.trusts(ip("127.0.0.1"))).as("not even loopback").isFalse();
        assertThat(peerOnly.resolve(ip("127.0.0.1"), List.of("203.0.113.7")))
                .isEqualTo(ClientAddress.untrustedPeer(ip("127.0.0.1")));
        assertThat(peerOnly.header()).isEqualTo("X-Forwarded-For");
    }

    @Test
    void trustsIsMembershipOfTheTrustedProxies() {
        ClientAddressResolver resolver = ClientAddressResolver.of(TRUSTED, "X-Forwarded-For");

        assertThat(resolver.trusts(LOAD_BALANCER)).isTrue();
        assertThat(resolver.trusts(ip("2001:db8:ffff:1::1"))).isTrue();
        assertThat(resolver.trusts(CLIENT)).isFalse();
        assertThat(resolver.trusts(null)).isFalse();
        assertThat(resolver.trustedProxies()).isSameAs(TRUSTED);
    }

    @Test
    void aHeaderListThatFailsToBeReadGivesAnUnknownClientNotAnException() {
        List<String> failing = new AbstractList<>() {
            @Override
            public String get(int index) {
                throw new IllegalStateException("a bug somewhere");
            }

            @Override
            public int size() {
                return 2;
            }
        };
        for (String header : List.of("X-Forwarded-For", "Forwarded", "X-Real-IP")) {
            assertUnknown(ClientAddressResolver.of(TRUSTED, header).resolve(LOAD_BALANCER, failing),
                    "could not be read", header + ": fail closed: an unexpected error must not let anyone through");
        }
        assertClient(ClientAddressResolver.of(TRUSTED, "X-Forwarded-For").resolve(LOAD_BALANCER,
                Arrays.asList(null, "203.0.113.7")), CLIENT, "a null line is an empty one");
    }

    @Test
    void randomGarbageNeverThrowsAndNeverYieldsAnAddressWithAProblem() {
        Random random = new Random(4711);
        String alphabet = "0123456789abcdefABCDEF.:[]%,;=\"\\ \t_-/forFORunknown\u0000\u00e9\uff11";
        for (String header : List.of("X-Forwarded-For", "Forwarded", "X-Real-IP")) {
            ClientAddressResolver resolver = ClientAddressResolver.of(TRUSTED, header);
            for (int n = 0; n < 3_000; n++) {
                List<String> lines = new ArrayList<>();
                for (int line = random.nextInt(4); line > 0; line--) {
                    StringBuilder s = new StringBuilder();
                    for (int i = random.nextInt(40); i > 0; i--) {
                        s.append(random.nextInt(10) == 0 ? (char) random.nextInt(0x10000)
                                : alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                    lines.add(s.toString());
                }
                ClientAddress[] result = new ClientAddress[1];
                assertThatCode(() -> result[0] = resolver.resolve(LOAD_BALANCER, lines)).as("%s: %s", header, lines)
                        .doesNotThrowAnyException();
                assertThat(result[0].viaTrustedProxy()).isTrue();
                assertThat(result[0].known()).as("%s: %s", header, lines).isEqualTo(result[0].address() != null);
                if (!result[0].known()) {
                    assertPrintableAndShort(result[0].problem());
                    assertThat(result[0].problem()).as("refused by a rule, not by an internal error: %s", lines)
                            .doesNotContain("could not be read");
                }
            }
        }
    }
}
