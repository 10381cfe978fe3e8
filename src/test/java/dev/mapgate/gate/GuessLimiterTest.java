package dev.mapgate.gate;

import static dev.mapgate.gate.CredentialsTest.basic;
import static org.assertj.core.api.Assertions.assertThat;

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
    /** Stands for a config snapshot, which admission compares by identity. */
    private static final Object SNAPSHOT = new Object();

    private final GuessLimiter limiter = new GuessLimiter(new FailureThrottle(1024));

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private long coolDown(InetAddress client, String token, String authorization) {
        return limiter.coolDownSeconds(client, token, authorization, true);
    }

    private boolean fail(InetAddress client, String token, String authorization) {
        return limiter.recordFailure(client, token, authorization, true, LIMITS);
    }

    private GuessLimiter.Admission admit(InetAddress client, String authorization) {
        return limiter.admit(client, null, authorization, SNAPSHOT);
    }

    @Test
    void wrongTokensCoolDownTheAddressForTokensButNotForBasicUsers() {
        fail(SHARED, "guess-1", null);
        assertThat(coolDown(SHARED, "guess-2", null)).as("below the limit").isZero();
        assertThat(fail(SHARED, "guess-2", null)).as("the failure that trips it").isTrue();

        assertThat(coolDown(SHARED, "any-token", null)).isEqualTo(300);
        assertThat(coolDown(SHARED, null, "Bearer x")).as("not Basic: counts as the address's").isEqualTo(300);
        assertThat(coolDown(SHARED, null, basic("bob:pw"))).as("a Basic user has a count of their own").isZero();
        assertThat(coolDown(SHARED, "token", basic("bob:pw"))).as("a token beside it still counts").isEqualTo(300);
        assertThat(coolDown(OTHER, "any-token", null)).isZero();
    }

    @Test
    void aRequestWithoutAnyCredentialIsNoGuessAndIsNeverInACoolDown() {
        fail(SHARED, "guess-1", null);
        fail(SHARED, "guess-2", null);

        assertThat(coolDown(SHARED, null, null)).as("it gets the usual denial, e.g. a 401 challenge").isZero();
        assertThat(coolDown(SHARED, " ", "")).isZero();
    }

    @Test
    void wrongPasswordsCoolDownTheirUserFromThatAddressOnly() {
        fail(SHARED, null, basic("alice:guess-1"));
        fail(SHARED, null, basic("alice:guess-2"));

        assertThat(coolDown(SHARED, null, basic("alice:anything"))).isEqualTo(300);
        assertThat(coolDown(SHARED, null, basic("bob:anything"))).isZero();
        assertThat(coolDown(SHARED, "a-token", null)).as("tokens are not alice's").isZero();
        assertThat(coolDown(OTHER, null, basic("alice:anything"))).isZero();
    }

    @Test
    void anUnknownUserNameCountsLikeAKnownOne() {
        fail(SHARED, null, basic("nobody:1"));
        fail(SHARED, null, basic("nobody:2"));

        assertThat(coolDown(SHARED, null, basic("nobody:3"))).isEqualTo(300);
    }

    @Test
    void sprayingOnePasswordOverManyNamesCoolsDownEveryPasswordFromTheAddress() {
        int limit = LIMITS.maxFailures() * GuessLimiter.PASSWORDS_FACTOR;
        for (int i = 0; i < limit - 1; i++) {
            assertThat(fail(SHARED, null, basic("name" + i + ":Summer2026!"))).isFalse();
        }
        assertThat(coolDown(SHARED, null, basic("bob:pw"))).as("one below the bound").isZero();

        assertThat(fail(SHARED, null, basic("last:Summer2026!"))).isTrue();

        assertThat(coolDown(SHARED, null, basic("bob:pw"))).isEqualTo(300);
        assertThat(coolDown(SHARED, "a-token", null)).as("tokens are still checked as usual").isZero();
        assertThat(coolDown(OTHER, null, basic("bob:pw"))).isZero();
    }

    @Test
    void withoutBasicUsersABasicCredentialIsAWrongCredentialOfTheAddress() {
        for (int i = 0; i < LIMITS.maxFailures(); i++) {
            limiter.recordFailure(SHARED, null, basic("invented" + i + ":x"), false, LIMITS);
        }

        assertThat(limiter.failures().tracked()).as("no key per invented name").isEqualTo(1);
        assertThat(limiter.coolDownSeconds(SHARED, "a-token", null, false)).isEqualTo(300);
        assertThat(limiter.coolDownSeconds(SHARED, null, basic("another:x"), false)).isEqualTo(300);
    }

    @Test
    void anAddressHasOneCheckInFlightAndTheSameCredentialSharesIt() {
        GuessLimiter.Admission first = admit(SHARED, basic("alice:pw"));
        assertThat(first).isInstanceOf(GuessLimiter.Check.class);
        assertThat(((GuessLimiter.Check) first).isShared()).isFalse();

        assertThat(admit(SHARED, basic("alice:other"))).as("another credential waits its turn")
                .isSameAs(GuessLimiter.Busy.INSTANCE);
        GuessLimiter.Admission same = admit(SHARED, basic("alice:pw"));
        assertThat(same).isInstanceOf(GuessLimiter.Shared.class);
        assertThat(((GuessLimiter.Check) first).isShared()).isTrue();
        assertThat(admit(OTHER, basic("alice:other"))).as("another address is not held up")
                .isInstanceOf(GuessLimiter.Check.class);

        CompletableFuture<Decision> shared = ((GuessLimiter.Shared) same).result();
        assertThat(shared).isNotDone();
        ((GuessLimiter.Check) first).finish(Decision.allow("alice"));
        assertThat(shared).isCompletedWithValue(Decision.allow("alice"));
        assertThat(admit(SHARED, basic("alice:other"))).as("free again once finished")
                .isInstanceOf(GuessLimiter.Check.class);
    }

    @Test
    void aRequestUnderAnotherConfigNeverTakesTheResultOfACheckUnderTheOldOne() {
        Object before = new Object();
        Object afterReload = new Object();
        assertThat(limiter.admit(SHARED, null, basic("alice:old-pw"), before)).isInstanceOf(GuessLimiter.Check.class);

        assertThat(limiter.admit(SHARED, null, basic("alice:old-pw"), afterReload))
                .as("alice may have been removed by the reload").isSameAs(GuessLimiter.Busy.INSTANCE);
    }

    @Test
    void anIpv6HostCannotTakeMoreSlotsByChangingItsAddressWithinItsSlash64() {
        assertThat(admit(ip("2001:db8::1"), basic("a:1"))).isInstanceOf(GuessLimiter.Check.class);

        assertThat(admit(ip("2001:db8::2"), basic("a:2"))).isSameAs(GuessLimiter.Busy.INSTANCE);
        assertThat(admit(ip("2001:db8:0:1::1"), basic("a:2"))).isInstanceOf(GuessLimiter.Check.class);
    }

    @Test
    void finishingTwiceOrAfterAnotherCheckTookTheSlotLeavesTheOtherInPlace() {
        GuessLimiter.Check first = (GuessLimiter.Check) admit(SHARED, basic("a:1"));
        first.finish(Decision.deny(DenyReason.BAD_CREDENTIAL, null));
        GuessLimiter.Check second = (GuessLimiter.Check) admit(SHARED, basic("a:2"));

        first.finish(Decision.deny(DenyReason.BAD_CREDENTIAL, null));

        assertThat(limiter.inFlight()).isEqualTo(1);
        assertThat(admit(SHARED, basic("a:3"))).isSameAs(GuessLimiter.Busy.INSTANCE);
        second.finish(Decision.deny(DenyReason.BAD_CREDENTIAL, null));
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void failedTokensInOneSiteCoolTheAddressDownThereOnly() {
        limiter.recordFailure(SHARED, "blog", "guess-1", null, true, LIMITS);
        assertThat(limiter.recordFailure(SHARED, "blog", "guess-2", null, true, LIMITS)).isTrue();

        assertThat(limiter.coolDownSeconds(SHARED, "blog", "guess-3", null, true)).isEqualTo(300);
        assertThat(limiter.coolDownSeconds(SHARED, "shop", "guess-3", null, true))
                .as("guesses at the blog's tokens say nothing about the shop's").isZero();
        assertThat(limiter.coolDownSeconds(SHARED, null, "guess-3", null, true)).as("nor the gate's own").isZero();
        assertThat(coolDown(SHARED, "guess-3", null)).isZero();
        assertThat(limiter.recordFailure(SHARED, "shop", "guess-1", null, true, LIMITS))
                .as("the shop counts from zero").isFalse();
    }

    @Test
    void failedPasswordsInOneSiteCoolTheirUserDownThereOnly() {
        limiter.recordFailure(SHARED, "blog", null, basic("alice:guess-1"), true, LIMITS);
        limiter.recordFailure(SHARED, "blog", null, basic("alice:guess-2"), true, LIMITS);

        assertThat(limiter.coolDownSeconds(SHARED, "blog", null, basic("alice:x"), true)).isEqualTo(300);
        assertThat(limiter.coolDownSeconds(SHARED, "shop", null, basic("alice:x"), true)).isZero();
        assertThat(coolDown(SHARED, null, basic("alice:x"))).isZero();
    }

    @Test
    void theGatesOwnSettingsKeepTheKeysTheyHadBeforeSites() {
        fail(SHARED, "guess-1", null);
        fail(SHARED, "guess-2", null);
        FailureThrottle table = limiter.failures();
        long address = table.addressKey(SHARED);

        assertThat(table.inSite(address, null)).as("no site: the key as it is").isEqualTo(address);
        assertThat(table.blockedForSeconds(SHARED)).as("the address's own entry, as before sites").isEqualTo(300);
        assertThat(limiter.coolDownSeconds(SHARED, null, "guess-3", null, true)).isEqualTo(300);
        assertThat(table.inSite(address, "blog")).isNotEqualTo(address).isNotEqualTo(table.inSite(address, "shop"));
        assertThat(table.inSite(table.userKey(SHARED, "alice"), null)).isEqualTo(table.userKey(SHARED, "alice"));
        assertThat(table.inSite(table.passwordsKey(SHARED), null)).isEqualTo(table.passwordsKey(SHARED));
    }
}
