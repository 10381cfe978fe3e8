package dev.mapgate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarnThrottleTest {

    private final AtomicLong now = new AtomicLong(-5_000_000_000L);
    private final WarnThrottle throttle = new WarnThrottle(Duration.ofSeconds(1), now::get);

    private void advanceMillis(long millis) {
        now.addAndGet(Duration.ofMillis(millis).toNanos());
    }

    @Test
    void theFirstOccurrenceIsLoggedWithNothingFolded() {
        assertThat(throttle.admit("connect-refused")).isZero();
    }

    @Test
    void furtherOccurrencesWithinASecondAreHeldBackAndCountedInTheNextLine() {
        throttle.admit("connect-refused");
        advanceMillis(100);
        assertThat(throttle.admit("connect-refused")).isEqualTo(-1);
        advanceMillis(100);
        assertThat(throttle.admit("connect-refused")).isEqualTo(-1);
        advanceMillis(799);
        assertThat(throttle.admit("connect-refused")).as("still inside the second").isEqualTo(-1);
        advanceMillis(1);
        assertThat(throttle.admit("connect-refused")).as("stands for the three held back").isEqualTo(3);
        advanceMillis(1000);
        assertThat(throttle.admit("connect-refused")).as("the count starts again").isZero();
    }

    @Test
    void eachReasonHasItsOwnSecond() {
        throttle.admit("connect-refused");
        assertThat(throttle.admit("response-timeout")).isZero();
        assertThat(throttle.admit("connect-refused")).isEqualTo(-1);
        assertThat(throttle.admit("response-timeout")).isEqualTo(-1);
    }

    @Test
    void aClockThatWrapsPastZeroStillMeasuresTheGap() {
        now.set(Long.MAX_VALUE - 100);
        throttle.admit("invalid-response");
        now.set(Long.MIN_VALUE + 100);
        assertThat(throttle.admit("invalid-response")).as("200 ns later").isEqualTo(-1);
        advanceMillis(1000);
        assertThat(throttle.admit("invalid-response")).isEqualTo(1);
    }
}
