package dev.mapgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.gate.ProxyV1Line.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyV1LineTest {

    private static final String FULL_V6 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";

    @ParameterizedTest
    @ValueSource(strings = {
            "PROXY TCP4 198.51.100.195 192.0.2.200 53533 443",
            "PROXY TCP4 0.0.0.0 255.255.255.255 0 65535",
            "PROXY TCP4 10.0.0.1 10.0.0.2 1 9",
            "PROXY TCP6 2001:db8::7 2001:db8::1 51000 443",
            "PROXY TCP6 2001:DB8::7 ::1 51000 443",
            "PROXY TCP6 2001:0db8:0000:0000:0000:0000:0000:0007 ::1 51000 443",
            "PROXY TCP6 ::ffff:198.51.100.195 ::ffff:192.0.2.200 53533 443",
            "PROXY TCP6 " + FULL_V6 + " " + FULL_V6 + " 65535 65535"})
    void linesAsBalancersWriteThemPass(String line) {
        assertThat(ProxyV1Line.check(line)).as(line).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "PROXY UNKNOWN",
            "PROXY UNKNOWN ",
            "PROXY UNKNOWN 198.51.100.195 192.0.2.200 53533 443",
            "PROXY UNKNOWN  two spaces, a\ttab, a bare \r and \n, \u0000 and \u00e9 ",
            "PROXY UNKNOWN " + FULL_V6 + " " + FULL_V6 + " 65535 65535"})
    void unknownMayBeFollowedByAnythingBecauseTheReceiverIgnoresIt(String line) {
        assertThat(ProxyV1Line.check(line)).as(line).isEmpty();
    }

    @Test
    void theLongestLineAllowedIs107BytesWithItsCrlf() {
        String longest = "PROXY UNKNOWN " + "x".repeat(ProxyV1Line.MAX_BYTES - 2 - 14);
        assertThat(longest.length() + 2).isEqualTo(107);

        assertThat(ProxyV1Line.check(longest)).isEmpty();
        assertThat(ProxyV1Line.check(longest + "x")).as("Netty takes up to 108 bytes before the CRLF")
                .contains(Problem.TOO_LONG);
    }

    @Test
    void aSpaceBeforeTheCrlfIsAFieldTooManyThoughNettyDropsIt() {
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 53533 443 ")).contains(Problem.FIELDS);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 53533 443   ")).contains(Problem.FIELDS);
        assertThat(ProxyV1Line.check("PROXY TCP6 2001:db8::7 2001:db8::1 51000 443 ")).contains(Problem.FIELDS);
    }

    @Test
    void fieldsAreSeparatedByExactlyOneSpace() {
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195  192.0.2.200 53533 443")).contains(Problem.FIELDS);
        assertThat(ProxyV1Line.check("PROXY  TCP4 198.51.100.195 192.0.2.200 53533 443")).contains(Problem.PROTOCOL);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 53533 443 80")).contains(Problem.FIELDS);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 53533")).contains(Problem.FIELDS);
    }

    @Test
    void aTabIsNoSeparator() {
        assertThat(ProxyV1Line.check("PROXY\tTCP4 198.51.100.195 192.0.2.200 53533 443")).contains(Problem.NOT_PROXY);
        assertThat(ProxyV1Line.check("PROXY TCP4\t198.51.100.195 192.0.2.200 53533 443")).contains(Problem.PROTOCOL);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200\t53533 443"))
                .contains(Problem.FIELDS);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 53533 443\t"))
                .contains(Problem.DESTINATION_PORT);
    }

    @Test
    void aPortHasNoLeadingZeroNoSignAndIsAtMost65535() {
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 053533 443")).contains(Problem.SOURCE_PORT);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 000000000053533 443"))
                .contains(Problem.SOURCE_PORT);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 53533 0443"))
                .contains(Problem.DESTINATION_PORT);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 +53533 443")).contains(Problem.SOURCE_PORT);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 -1 443")).contains(Problem.SOURCE_PORT);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 65536 443")).contains(Problem.SOURCE_PORT);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 53533 ")).contains(Problem.DESTINATION_PORT);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 5353\u0663 443"))
                .as("digits of other scripts are no digits here").contains(Problem.SOURCE_PORT);
    }

    @Test
    void anIpv4OctetHasNoLeadingZeroBecauseSomeReadersTakeItAsOctal() {
        assertThat(ProxyV1Line.check("PROXY TCP4 035.184.238.160 192.0.2.200 53533 443"))
                .contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.02.200 53533 443"))
                .contains(Problem.DESTINATION_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100 192.0.2.200 53533 443")).contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP4 3325256899 192.0.2.200 53533 443")).contains(Problem.SOURCE_ADDRESS);
    }

    @Test
    void theAddressesAreOfTheFamilyTheProtocolNames() {
        assertThat(ProxyV1Line.check("PROXY TCP4 2001:db8::7 192.0.2.200 53533 443")).contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP4 ::ffff:198.51.100.195 192.0.2.200 53533 443"))
                .contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP6 198.51.100.195 2001:db8::1 53533 443")).contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP6 2001:db8::7 192.0.2.200 53533 443"))
                .contains(Problem.DESTINATION_ADDRESS);
    }

    @Test
    void anIpv6AddressIsBareWithoutBracketsOrZone() {
        assertThat(ProxyV1Line.check("PROXY TCP6 [2001:db8::7] 2001:db8::1 53533 443")).contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP6 fe80::7%eth0 2001:db8::1 53533 443")).contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP6 fe80::7%1 2001:db8::1 53533 443")).contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP6 ::ffff:198.051.100.195 2001:db8::1 53533 443"))
                .as("nor a leading zero in an IPv4 tail").contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP6 2001::db8::7 2001:db8::1 53533 443")).contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP6 02001:db8::7 2001:db8::1 53533 443")).contains(Problem.SOURCE_ADDRESS);
    }

    @Test
    void theProtocolIsOneOfThreeWordsInCapitals() {
        assertThat(ProxyV1Line.check("PROXY tcp4 198.51.100.195 192.0.2.200 53533 443")).contains(Problem.PROTOCOL);
        assertThat(ProxyV1Line.check("PROXY UDP4 198.51.100.195 192.0.2.200 53533 443")).contains(Problem.PROTOCOL);
        assertThat(ProxyV1Line.check("PROXY unknown")).contains(Problem.PROTOCOL);
        assertThat(ProxyV1Line.check("PROXY UNKNOWNX")).as("the word must end where it ends").contains(Problem.PROTOCOL);
        assertThat(ProxyV1Line.check("PROXY ")).contains(Problem.PROTOCOL);
    }

    @Test
    void aLineThatDoesNotStartWithTheKeywordAndASpaceIsNoV1Line() {
        assertThat(ProxyV1Line.check("PROXY")).contains(Problem.NOT_PROXY);
        assertThat(ProxyV1Line.check("proxy TCP4 198.51.100.195 192.0.2.200 53533 443")).contains(Problem.NOT_PROXY);
        assertThat(ProxyV1Line.check("GET / HTTP/1.1")).contains(Problem.NOT_PROXY);
    }

    @Test
    void controlBytesAndBytesOutsideAsciiInAFieldAreRefused() {
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 53533 443\r"))
                .contains(Problem.DESTINATION_PORT);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195\u0000 192.0.2.200 53533 443"))
                .contains(Problem.SOURCE_ADDRESS);
        assertThat(ProxyV1Line.check("PROXY TCP4 198.51.100.195 192.0.2.200 53533 44\u00b3"))
                .contains(Problem.DESTINATION_PORT);
    }
}
