package dev.mapgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {

    private static final ThrottleSettings LIMITS =
            new ThrottleSettings(true, 3, Duration.ofMinutes(1), Duration.ofMinutes(5), 64);
    private static final InetAddress ATTACKER = ip("192.0.2.66");

    /**
     * The flood tests pin the hash key, so that the slots each address lands in, and so every
     * assertion, are the same on every run. In production the key is random.
     */
    private static final byte[] FIXED_KEY = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final AtomicLong clock = new AtomicLong(123_456_789L);

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static ThrottleSettings limits(int maxFailures, Duration window, Duration coolDown) {
        return new ThrottleSettings(true, maxFailures, window, coolDown, 64);
    }

    private void advance(Duration duration) {
        clock.addAndGet(duration.toNanos());
    }

    private FailureThrottle throttle(int capacity) {
        return new FailureThrottle(capacity, clock::get);
    }

    /** Fails {@code address} as often as {@link #LIMITS} allow, so that it starts a cool-down. */
    private static void trip(FailureThrottle throttle, InetAddress address) {
        for (int i = 0; i < LIMITS.maxFailures(); i++) {
            throttle.recordFailure(address, LIMITS);
        }
        assertThat(throttle.blockedForSeconds(address)).as("%s is cooling down", address).isPositive();
    }

    @Test
    void anAddressIsBlockedExactlyWhenItReachesMaxFailuresWithinTheWindow() {
        FailureThrottle throttle = throttle(64);

        assertThat(throttle.recordFailure(ATTACKER, LIMITS)).isFalse();
        advance(Duration.ofSeconds(20));
        assertThat(throttle.recordFailure(ATTACKER, LIMITS)).isFalse();
        assertThat(throttle.blockedForSeconds(ATTACKER)).as("one failure short of the limit").isZero();
        advance(Duration.ofSeconds(39));

        assertThat(throttle.recordFailure(ATTACKER, LIMITS)).as("the third failure starts the cool-down").isTrue();
        assertThat(throttle.blockedForSeconds(ATTACKER)).as("the whole cool-down, from the last failure")
                .isEqualTo(300);
        assertThat(throttle.blockedForSeconds(ip("192.0.2.67"))).as("nobody else").isZero();
    }

    @Test
    void failuresFurtherApartThanTheWindowDoNotAddUp() {
        FailureThrottle throttle = throttle(64);

        throttle.recordFailure(ATTACKER, LIMITS);
        advance(Duration.ofSeconds(30));
        throttle.recordFailure(ATTACKER, LIMITS);
        advance(Duration.ofSeconds(30));
        assertThat(throttle.recordFailure(ATTACKER, LIMITS))
                .as("the window of the first failure has just ended; this one starts a new count").isFalse();
        advance(Duration.ofSeconds(30));
        assertThat(throttle.recordFailure(ATTACKER, LIMITS)).isFalse();
        assertThat(throttle.blockedForSeconds(ATTACKER)).isZero();

        assertThat(throttle.recordFailure(ATTACKER, LIMITS)).as("three within the second window").isTrue();
    }

    @Test
    void retryAfterCountsDownInWholeSecondsRoundedUp() {
        FailureThrottle throttle = throttle(64);
        ThrottleSettings oneStrike = limits(1, Duration.ofMinutes(1), Duration.ofSeconds(10));
        throttle.recordFailure(ATTACKER, oneStrike);

        assertThat(throttle.blockedForSeconds(ATTACKER)).isEqualTo(10);
        clock.incrementAndGet();
        assertThat(throttle.blockedForSeconds(ATTACKER)).as("9.999999999s left").isEqualTo(10);
        advance(Duration.ofSeconds(1).minusNanos(1));
        assertThat(throttle.blockedForSeconds(ATTACKER)).isEqualTo(9);
        advance(Duration.ofSeconds(9).minusNanos(1));
        assertThat(throttle.blockedForSeconds(ATTACKER)).as("1ns left: never 0 while blocked").isEqualTo(1);
        clock.incrementAndGet();
        assertThat(throttle.blockedForSeconds(ATTACKER)).as("the cool-down is over").isZero();
    }

    @Test
    void afterItsCoolDownAnAddressStartsCountingAfresh() {
        FailureThrottle throttle = throttle(64);
        trip(throttle, ATTACKER);
        advance(Duration.ofMinutes(5));

        assertThat(throttle.blockedForSeconds(ATTACKER)).isZero();
        assertThat(throttle.tracked()).as("an ended cool-down is forgotten").isZero();
        assertThat(throttle.recordFailure(ATTACKER, LIMITS)).isFalse();
        assertThat(throttle.recordFailure(ATTACKER, LIMITS)).as("not blocked again by a single failure").isFalse();
        assertThat(throttle.blockedForSeconds(ATTACKER)).isZero();
        assertThat(throttle.recordFailure(ATTACKER, LIMITS)).isTrue();
    }

    @Test
    void aFailureDuringTheCoolDownNeitherExtendsItNorCountsAgain() {
        FailureThrottle throttle = throttle(64);
        trip(throttle, ATTACKER);
        advance(Duration.ofMinutes(1));

        // A credential whose bcrypt run began before the cool-down, and failed after it began.
        assertThat(throttle.recordFailure(ATTACKER, LIMITS)).as("not a second start").isFalse();
        assertThat(throttle.blockedForSeconds(ATTACKER)).isEqualTo(240);
    }

    @Test
    void ipv6AddressesInOneSlash64ShareACountAndOtherSlash64sDoNot() {
        FailureThrottle throttle = throttle(64);

        throttle.recordFailure(ip("2001:db8:1:2::1"), LIMITS);
        throttle.recordFailure(ip("2001:db8:1:2:8a3f:11ff:fe00:7"), LIMITS);
        throttle.recordFailure(ip("2001:db8:1:3::1"), LIMITS);
        assertThat(throttle.blockedForSeconds(ip("2001:db8:1:2::1"))).isZero();
        assertThat(throttle.recordFailure(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"), LIMITS))
                .as("a host picking a new address in its /64 for each guess is still one guesser").isTrue();

        assertThat(throttle.blockedForSeconds(ip("2001:db8:1:2::abcd"))).isEqualTo(300);
        assertThat(throttle.blockedForSeconds(ip("2001:db8:1:3::1"))).as("the next /64 is someone else").isZero();
        assertThat(throttle.tracked()).isEqualTo(2);
    }

    @Test
    void anIpv4ClientSeenThroughADualStackSocketIsStillTheSameClient() throws UnknownHostException {
        FailureThrottle throttle = throttle(64);
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 66};
        InetAddress asIpv6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(asIpv6).isInstanceOf(Inet6Address.class);

        throttle.recordFailure(asIpv6, LIMITS);
        throttle.recordFailure(ATTACKER, LIMITS);
        throttle.recordFailure(asIpv6, LIMITS);

        assertThat(throttle.blockedForSeconds(ATTACKER)).isEqualTo(300);
        assertThat(throttle.blockedForSeconds(ip("::1")))
                .as("::ffff:a.b.c.d is read as its IPv4 address, not as the /64 it shares with ::1").isZero();
    }

    @Test
    void anUnknownClientIsNeitherCountedNorBlocked() {
        FailureThrottle throttle = throttle(64);

        for (int i = 0; i < 10; i++) {
            assertThat(throttle.recordFailure(null, LIMITS)).isFalse();
        }

        assertThat(throttle.blockedForSeconds(null)).isZero();
        assertThat(throttle.tracked()).isZero();
    }

    @Test
    void aFloodOfDistinctAddressesStaysWithinTheTableAndCannotEndAnotherAddressesCoolDown() {
        FailureThrottle throttle = new FailureThrottle(4096, clock::get, FIXED_KEY);
        ThrottleSettings limits = limits(5, Duration.ofMinutes(1), Duration.ofMinutes(5));
        int attackerFailures = 0;
        boolean tripped = false;

        for (int i = 0; i < 100_000; i++) {
            advance(Duration.ofNanos(1_000));
            throttle.recordFailure(floodAddress(i), limits);
            if (i % 100 == 0 && !tripped) {
                // The gate stops checking, and so counting, an address once it is blocked.
                attackerFailures++;
                tripped = throttle.recordFailure(ATTACKER, limits);
            }
            if (i % 1_000 == 0) {
                assertThat(throttle.tracked()).as("after %d addresses", i + 1).isLessThanOrEqualTo(4096);
            }
        }

        assertThat(throttle.capacity()).as("the table is never grown").isEqualTo(4096);
        assertThat(throttle.tracked()).isLessThanOrEqualTo(4096);
        assertThat(attackerFailures).as("the flood did not make the attacker's count start over")
                .isEqualTo(limits.maxFailures());
        assertThat(throttle.blockedForSeconds(ATTACKER))
                .as("100,000 other addresses later, the attacker is still cooling down")
                .isEqualTo(300);

        InetAddress latecomer = ip("203.0.113.9");
        for (int i = 1; i < limits.maxFailures(); i++) {
            assertThat(throttle.recordFailure(latecomer, limits)).isFalse();
        }
        assertThat(throttle.recordFailure(latecomer, limits))
                .as("a table full of the flood's single failures still catches the next guesser").isTrue();
    }

    /** Half distinct IPv4 addresses, half distinct IPv6 /64s. */
    private static InetAddress floodAddress(int i) {
        return ip(i % 2 == 0
                ? "10." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff)
                : "2001:db8:" + Integer.toHexString(i >>> 16) + ":" + Integer.toHexString(i & 0xffff) + "::1");
    }

    @Test
    void aTableFullOfCoolDownsCountsNewcomersOnlyOnceThoseEnd() {
        FailureThrottle throttle = new FailureThrottle(16, clock::get, FIXED_KEY);
        ThrottleSettings oneStrike = limits(1, Duration.ofMinutes(1), Duration.ofMinutes(5));
        List<InetAddress> blocked = new ArrayList<>();

        for (int i = 0; i < 200; i++) {
            InetAddress address = floodAddress(i);
            if (throttle.recordFailure(address, oneStrike)) {
                blocked.add(address);
            }
        }

        assertThat(blocked).as("no more than fit").hasSizeLessThanOrEqualTo(16).isNotEmpty();
        assertThat(throttle.tracked()).isEqualTo(blocked.size());
        for (InetAddress address : blocked) {
            assertThat(throttle.blockedForSeconds(address)).as("%s keeps its whole cool-down", address).isEqualTo(300);
        }

        advance(Duration.ofMinutes(5));
        assertThat(throttle.tracked()).isZero();
        assertThat(throttle.recordFailure(floodAddress(199), oneStrike)).as("the table is free again").isTrue();
    }

    @Test
    void failuresFromManyThreadsAtOnceStayWithinTheTableAndStillBlockTheAttacker() throws Exception {
        FailureThrottle throttle = new FailureThrottle(1024, clock::get);
        ThrottleSettings limits = limits(10, Duration.ofMinutes(1), Duration.ofMinutes(5));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t * 20_000;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        throttle.recordFailure(floodAddress(offset + i), limits);
                        if (i % 50 == 0) {
                            throttle.recordFailure(ATTACKER, limits);
                        }
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(throttle.tracked()).isLessThanOrEqualTo(1024);
        assertThat(throttle.blockedForSeconds(ATTACKER)).as("400 failures, however they interleaved").isEqualTo(300);
    }

    @Test
    void noIpv4AddressSharesAKeyWithAnIpv6Slash64ThatCanBeAClient() {
        assertThat(FailureThrottle.keyOf(ip("0.0.0.1"))).isNotEqualTo(FailureThrottle.keyOf(ip("::1")));
        assertThat(FailureThrottle.keyOf(ip("192.0.2.1")))
                .isNotEqualTo(FailureThrottle.keyOf(ip("::c000:201")))
                .isNotEqualTo(FailureThrottle.keyOf(ip("0:0:c000:201::1")));
        assertThat(FailureThrottle.keyOf(ip("2001:db8::1"))).isEqualTo(FailureThrottle.keyOf(ip("2001:db8::2")));
    }
}
