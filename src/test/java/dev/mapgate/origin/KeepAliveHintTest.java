package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeepAliveHintTest {

    private static final Duration POOL = Duration.ofSeconds(4);

    @Test
    void readsTheTimeoutNodeAndApacheSend() {
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeout=5"))).isEqualTo(5);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeout=5, max=100"))).isEqualTo(5);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("max=100, timeout=15"))).isEqualTo(15);
    }

    @Test
    void toleratesCaseBlanksQuotesAndSemicolons() {
        assertThat(KeepAliveHint.timeoutSeconds(List.of("  Timeout = 7 "))).isEqualTo(7);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("TIMEOUT=\"3\""))).isEqualTo(3);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("max=5; timeout=2"))).isEqualTo(2);
    }

    @Test
    void takesTheSmallestOfSeveralLines() {
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeout=9", "timeout=4"))).isEqualTo(4);
    }

    @Test
    void passesOverWhatIsNoWholeNumberOfSeconds() {
        assertThat(KeepAliveHint.timeoutSeconds(List.of())).isEqualTo(KeepAliveHint.NONE);
        assertThat(KeepAliveHint.timeoutSeconds(List.of(""))).isEqualTo(KeepAliveHint.NONE);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeout"))).isEqualTo(KeepAliveHint.NONE);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeout="))).isEqualTo(KeepAliveHint.NONE);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeout=-1"))).isEqualTo(KeepAliveHint.NONE);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeout=1.5"))).isEqualTo(KeepAliveHint.NONE);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeout=99999999999999999999"))).isEqualTo(KeepAliveHint.NONE);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeouts=3, xtimeout=4"))).isEqualTo(KeepAliveHint.NONE);
        assertThat(KeepAliveHint.timeoutSeconds(List.of("timeout=x, timeout=6"))).as("the good one still counts")
                .isEqualTo(6);
    }

    @Test
    void withoutAHintThePoolsOwnLimitHolds() {
        assertThat(KeepAliveHint.idleAllowanceNanos(KeepAliveHint.NONE, POOL)).isEqualTo(POOL.toNanos());
    }

    @Test
    void aShortHintKeepsASecondInHand() {
        assertThat(KeepAliveHint.idleAllowanceNanos(3, POOL)).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(KeepAliveHint.idleAllowanceNanos(2, POOL)).isEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void belowTwoSecondsHalfTheHintIsKept() {
        assertThat(KeepAliveHint.idleAllowanceNanos(1, POOL)).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(KeepAliveHint.idleAllowanceNanos(0, POOL)).as("timeout=0: never reused").isZero();
    }

    @Test
    void aLongHintNeverStretchesThePoolsLimit() {
        assertThat(KeepAliveHint.idleAllowanceNanos(75, POOL)).isEqualTo(POOL.toNanos());
        assertThat(KeepAliveHint.idleAllowanceNanos(999_999_999_999L, POOL)).isEqualTo(POOL.toNanos());
    }
}
