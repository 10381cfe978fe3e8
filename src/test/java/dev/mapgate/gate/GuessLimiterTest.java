package dev.mapgate.gate;

import static dev.mapgate.gate.CredentialsTest.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.config.ThrottleSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GuessLimiterTest {

    private static final ThrottleSettings LIMITS =
            new ThrottleSettings(true, 2, Duration.ofMinutes(1), Duration.ofMinutes(5), 64);
    private static final InetAddress SHARED = ip("192.0.2.66");
    private static final InetAddress OTHER = ip("192.0.2.67");

    private final GuessLimiter limiter = new GuessLimiter(new FailureThrottle(64));

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void wrongTokensCoolDownTheAddressForTokensAndMissingCredentialsButNotForBasicUsers() {
        limiter.recordFailure(SHARED, "guess-1", null, LIMITS);
        assertThat(limiter.coolDownSeconds(SHARED, "guess-2", null)).as("below the limit").isZero();
        assertThat(limiter.recordFailure(SHARED, "guess-2", null, LIMITS)).as("the failure that trips it").isTrue();

        assertThat(limiter.coolDownSeconds(SHARED, "any-token", null)).isEqualTo(300);
        assertThat(limiter.coolDownSeconds(SHARED, null, null)).as("no credential: refused like a guess").isEqualTo(300);
        assertThat(limiter.coolDownSeconds(SHARED, null, "Bearer x")).as("not Basic: counts as the address's").isEqualTo(300);
        assertThat(limiter.coolDownSeconds(SHARED, null, basic("bob:pw"))).as("a Basic user has a count of their own")
                .isZero();
        assertThat(limiter.coolDownSeconds(SHARED, "token", basic("bob:pw"))).as("a token beside it still counts")
                .isEqualTo(300);
        assertThat(limiter.coolDownSeconds(OTHER, "any-token", null)).isZero();
    }

    @Test
    void wrongPasswordsCoolDownTheirUserFromThatAddressOnly() {
        limiter.recordFailure(SHARED, null, basic("alice:guess-1"), LIMITS);
        limiter.recordFailure(SHARED, null, basic("alice:guess-2"), LIMITS);

        assertThat(limiter.coolDownSeconds(SHARED, null, basic("alice:anything"))).isEqualTo(300);
        assertThat(limiter.coolDownSeconds(SHARED, null, basic("bob:anything"))).isZero();
        assertThat(limiter.coolDownSeconds(SHARED, "a-token", null)).as("tokens are not alice's").isZero();
        assertThat(limiter.coolDownSeconds(OTHER, null, basic("alice:anything"))).isZero();
    }

    @Test
    void anUnknownUserNameCountsLikeAKnownOne() {
        limiter.recordFailure(SHARED, null, basic("nobody:1"), LIMITS);
        limiter.recordFailure(SHARED, null, basic("nobody:2"), LIMITS);

        assertThat(limiter.coolDownSeconds(SHARED, null, basic("nobody:3"))).isEqualTo(300);
    }

    @Test
    void anAddressHasOneCheckInFlightAndTheSameCredentialSharesIt() {
        GuessLimiter.Admission first = limiter.admit(SHARED, null, basic("alice:pw"));
        assertThat(first).isInstanceOf(GuessLimiter.Check.class);

        assertThat(limiter.admit(SHARED, null, basic("alice:other"))).as("another credential waits its turn")
                .isSameAs(GuessLimiter.Busy.INSTANCE);
        GuessLimiter.Admission same = limiter.admit(SHARED, null, basic("alice:pw"));
        assertThat(same).isInstanceOf(GuessLimiter.Shared.class);
        assertThat(limiter.admit(OTHER, null, basic("alice:other"))).as("another address is not held up")
                .isInstanceOf(GuessLimiter.Check.class);

        CompletableFuture<Decision> shared = ((GuessLimiter.Shared) same).result();
        assertThat(shared).isNotDone();
        ((GuessLimiter.Check) first).finish(Decision.allow("alice"));
        assertThat(shared).isCompletedWithValue(Decision.allow("alice"));
        assertThat(limiter.admit(SHARED, null, basic("alice:other"))).as("free again once finished")
                .isInstanceOf(GuessLimiter.Check.class);
    }

    @Test
    void anIpv6HostCannotTakeMoreSlotsByChangingItsAddressWithinItsSlash64() {
        assertThat(limiter.admit(ip("2001:db8::1"), null, basic("a:1"))).isInstanceOf(GuessLimiter.Check.class);

        assertThat(limiter.admit(ip("2001:db8::2"), null, basic("a:2"))).isSameAs(GuessLimiter.Busy.INSTANCE);
        assertThat(limiter.admit(ip("2001:db8:0:1::1"), null, basic("a:2"))).isInstanceOf(GuessLimiter.Check.class);
    }

    @Test
    void finishingTwiceOrAfterAnotherCheckTookTheSlotLeavesTheOtherInPlace() {
        GuessLimiter.Check first = (GuessLimiter.Check) limiter.admit(SHARED, null, basic("a:1"));
        first.finish(Decision.deny(DenyReason.BAD_CREDENTIAL, null));
        GuessLimiter.Check second = (GuessLimiter.Check) limiter.admit(SHARED, null, basic("a:2"));

        first.finish(Decision.deny(DenyReason.BAD_CREDENTIAL, null));

        assertThat(limiter.inFlight()).isEqualTo(1);
        assertThat(limiter.admit(SHARED, null, basic("a:3"))).isSameAs(GuessLimiter.Busy.INSTANCE);
        second.finish(Decision.deny(DenyReason.BAD_CREDENTIAL, null));
        assertThat(limiter.inFlight()).isZero();
    }
}
