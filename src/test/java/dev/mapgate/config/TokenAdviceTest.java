package dev.mapgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.gate.Token;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenAdviceTest {

    private static final String LONG = "0123456789abcdef0123456789abcdef";

    @Test
    void thirtyTwoCharactersIsEnoughAndThirtyOneIsShort() {
        assertThat(warnings("0.0.0.0", LONG)).isEmpty();
        assertThat(warnings("0.0.0.0", LONG.substring(1))).singleElement().asString()
                .contains("token 't0' is shorter than 32 characters", "openssl rand -hex 32");
    }

    @Test
    void charactersAreCountedNotUtf16Units() {
        String emoji = "\uD83D\uDD11".repeat(31);

        assertThat(warnings("0.0.0.0", emoji)).as("31 characters in 62 UTF-16 units").hasSize(1);
    }

    @Test
    void aShortTokenIsWarnedAboutOnLoopbackToo() {
        assertThat(warnings("127.0.0.1", "short")).as("only the public examples are excused there").hasSize(1);
    }

    @Test
    void eachPublicExampleIsWarnedAboutBeyondLoopbackAsPublicOnly() {
        for (String example : TokenAdvice.PUBLIC_EXAMPLES) {
            assertThat(warnings("0.0.0.0", example)).singleElement().asString()
                    .contains("public example value", "listens on 0.0.0.0")
                    .doesNotContain("shorter than")
                    .doesNotContain(example);
            assertThat(warnings("127.0.0.1", example)).as("%s on loopback", example).isEmpty();
        }
    }

    @Test
    void eachTokenGetsItsOwnWarningNamingItsKey() {
        List<String> warnings = TokenAdvice.warnings(List.of(
                new TokenAdvice.Configured("mapgate.gate.token.tokens[0]", new Token("a", "short")),
                new TokenAdvice.Configured("mapgate.gate.token.tokens[1]", new Token("b", LONG)),
                new TokenAdvice.Configured("mapgate.gate.token.tokens[2]", new Token("c", "example-token-change-me"))),
                "203.0.113.5");

        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).startsWith("mapgate.gate.token.tokens[0]: token 'a' ");
        assertThat(warnings.get(1)).startsWith("mapgate.gate.token.tokens[2]: token 'c' ");
    }

    @Test
    void loopbackIsLocalhostOrALoopbackLiteralAndNothingElse() {
        for (String host : new String[] {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "localhost",
                "LOCALHOST", "::ffff:127.0.0.1"}) {
            assertThat(TokenAdvice.isLoopback(host)).as(host).isTrue();
        }
        for (String host : new String[] {"0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "2001:db8::1", "example.com",
                "localhost.example.com", "127.0.0.1.nip.io", "mapgate", "::g"}) {
            assertThat(TokenAdvice.isLoopback(host)).as(host).isFalse();
        }
    }

    private static List<String> warnings(String host, String value) {
        return TokenAdvice.warnings(List.of(new TokenAdvice.Configured("mapgate.gate.token.tokens[0]",
                new Token("t0", value))), host);
    }
}
