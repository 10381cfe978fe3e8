package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** UTF-8, Content-Range, addresses and the credential: small rules with one answer each. */
class SmallDecisionsTest {

    @Test
    void utf8IsCheckedStrictlyAndTheFirstBadByteIsNamed() {
        assertThat(Utf8.firstInvalidByte("café ✓ 😀".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(Utf8.firstInvalidByte(new byte[] {'a', 'b', (byte) 0xff, 'c'})).hasValue(2);
        assertThat(Utf8.firstInvalidByte(new byte[] {'a', (byte) 0xc3})).as("cut in the middle of a character").hasValue(1);
        assertThat(Utf8.firstInvalidByte("é".getBytes(StandardCharsets.ISO_8859_1))).hasValue(0);
    }

    @Test
    void contentRangeAsSentryAcceptsIt() {
        assertThat(ContentRange.parse("bytes 0-99/100")).isEqualTo(new ContentRange(0, 99, 100));
        assertThat(ContentRange.parse(" bytes 0-99/1000 ").length()).isEqualTo(100);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes 0-99/*", "bytes */100", "items 0-99/100", "bytes 0-99", "bytes 99-0/100", "bytes a-b/100",
        "bytes 0-100/100"})
    void contentRangeSentryRejects(String header) {
        assertThatThrownBy(() -> ContentRange.parse(header)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sentryCannotReachLoopbackPrivateOrIpv6OnlyHosts() throws Exception {
        assertThat(Reachability.problem("cdn.example", List.of(InetAddress.getByName("93.184.215.14")))).isEmpty();
        assertThat(Reachability.problem("localhost", List.of(InetAddress.getByName("127.0.0.1"))))
                .hasValue("localhost resolves to 127.0.0.1, not a public address; Sentry's fetcher refuses to connect there");
        assertThat(Reachability.problem("127.0.0.1", List.of(InetAddress.getByName("127.0.0.1"))))
                .hasValue("127.0.0.1 is not a public address; Sentry's fetcher refuses to connect there");
        assertThat(Reachability.problem("v6.example", List.of(InetAddress.getByName("2001:db8::1"))))
                .hasValueSatisfying(p -> assertThat(p).contains("only IPv6").contains("IPv4 only"));
        assertThat(Reachability.problem("both.example",
                List.of(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("93.184.215.14")))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.1.2.3", "10.1.2.3", "100.64.0.1", "127.0.0.2", "169.254.1.1", "172.16.0.1", "172.31.255.255",
        "192.0.0.8", "192.0.2.1", "192.168.1.1", "198.18.0.1", "198.51.100.1", "203.0.113.1", "224.0.0.1", "255.255.255.255"})
    void reservedIpv4AddressesAreNotPublic(String address) throws Exception {
        assertThat(Reachability.isNotPublic(InetAddress.getByName(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.1.1.1", "35.184.238.160", "100.63.255.255", "172.32.0.1", "192.169.0.1", "198.20.0.1"})
    void publicIpv4AddressesAre(String address) throws Exception {
        assertThat(Reachability.isNotPublic(InetAddress.getByName(address))).isFalse();
    }

    @Test
    void basicCredentialsAreEncodedAsSentryWouldSendThem() {
        Credential basic = Credential.basic("sentry:s3cret");
        assertThat(basic.header()).isEqualTo("Authorization");
        assertThat(basic.value()).isEqualTo("Basic c2VudHJ5OnMzY3JldA==");
        assertThat(basic.droppedAcrossHosts()).isTrue();
        assertThat(Credential.token("X-Sentry-Token", "t").droppedAcrossHosts()).isFalse();
    }

    @Test
    void aCredentialNeverShowsItsValue() {
        assertThat(Credential.token("X-Sentry-Token", "hunter2").toString()).doesNotContain("hunter2");
    }

    @Test
    void badCredentialsAreRefusedWithAReason() {
        assertThatThrownBy(() -> Credential.token("X Sentry", "t")).hasMessageContaining("header name");
        assertThatThrownBy(() -> Credential.token("Host", "t")).hasMessageContaining("Host");
        assertThatThrownBy(() -> Credential.token("X-Sentry-Token", "")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Credential.token("X-Sentry-Token", "a\nb")).hasMessageContaining("control character");
        assertThatThrownBy(() -> Credential.basic("nocolon")).hasMessageContaining("USER:PASSWORD");
    }
}
