package dev.mapgate.gate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthorityTest {

    @Test
    void aHostNameIsLowerCasedAndLosesItsTrailingDot() {
        assertThat(Authority.parse("Assets.Example.COM.")).isEqualTo(new Authority("assets.example.com", -1));
        assertThat(Authority.parse("assets.example.com:8080")).isEqualTo(new Authority("assets.example.com", 8080));
        assertThat(Authority.parse("127.0.0.1:80").toString()).isEqualTo("127.0.0.1:80");
        assertThat(Authority.parse("[2001:DB8::1]:443")).isEqualTo(new Authority("[2001:db8::1]", 443));
        assertThat(Authority.parse("my_host")).isEqualTo(new Authority("my_host", -1));
    }

    @Test
    void anythingThatIsNotAPlainHostAndPortIsRefused() {
        for (String bad : List.of("", ":80", "a b", "user@host", "host:", "host:x", "host:123456", "host:65536",
                "host:80:80", "exa%6dple.com", "[2001:db8::1", "[]", "[zz::1]", "[fe80::1%25eth0]",
                "[2001:db8::1]x", "host/path", "host?q", "ex\u00e4mple.com", "a".repeat(254))) {
            assertThatThrownBy(() -> Authority.parse(bad)).as("'%s'", bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Authority.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAcceptedHostWithoutAPortTakesAnyPortAndOneWithAPortOnlyThatPort() {
        AcceptedHosts hosts = AcceptedHosts.of(List.of("assets.example.com", "cdn.example:8443"));

        assertThat(hosts.accepts(Authority.parse("ASSETS.example.com"))).isTrue();
        assertThat(hosts.accepts(Authority.parse("assets.example.com:8080"))).isTrue();
        assertThat(hosts.accepts(Authority.parse("cdn.example:8443"))).isTrue();
        assertThat(hosts.accepts(Authority.parse("cdn.example"))).isFalse();
        assertThat(hosts.accepts(Authority.parse("cdn.example:443"))).isFalse();
        assertThat(hosts.accepts(Authority.parse("example.com"))).isFalse();
        assertThat(hosts.accepts(Authority.parse("evil.assets.example.com"))).isFalse();
    }

    @Test
    void noAcceptedHostsAcceptsNothing() {
        assertThat(AcceptedHosts.of(List.of())).isSameAs(AcceptedHosts.NONE);
        assertThat(AcceptedHosts.NONE.accepts(Authority.parse("localhost"))).isFalse();
        assertThat(AcceptedHosts.NONE.isEmpty()).isTrue();
    }

    @Test
    void aBadEntryIsNamedInTheError() {
        assertThatThrownBy(() -> AcceptedHosts.of(List.of("ok.example", "bad host")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bad host'");
    }
}
