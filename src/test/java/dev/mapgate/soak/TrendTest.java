package dev.mapgate.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mapgate.soak.Trend.Sample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arithmetic behind the soak's "no growth" verdict, checked on series whose answer is known. */
class TrendTest {

    @Test
    void aSteadyLeakShowsAsItsRatePerMinute() {
        Trend leak = series(i -> 100 + 3.0 * i, 5);

        assertThat(leak.slopePerMinute()).as("3 units every 5 s").isCloseTo(36, within(1e-9));
        assertThat(leak.leastSquaresSlopePerMinute()).isCloseTo(36, within(1e-9));
        assertThat(leak.quarterMedianGrowth()).isPositive();
    }

    @Test
    void aFlatSeriesWithNoiseHasNoSlopeToSpeakOf() {
        Trend flat = series(i -> 100 + (i % 2 == 0 ? 1 : -1), 5);

        assertThat(Math.abs(flat.slopePerMinute())).isLessThan(0.5);
        assertThat(flat.quarterMedianGrowth()).isZero();
    }

    @Test
    void warmUpGrowthIsLeftOutAndOnlyTheSecondHalfIsJudged() {
        Trend warming = series(i -> i < 20 ? 10.0 * i : 200, 5);

        assertThat(warming.slopePerMinute()).as("over the whole run").isPositive();
        assertThat(warming.afterWarmUp().slopePerMinute()).as("after warm-up").isZero();
        assertThat(warming.afterWarmUp().samples()).hasSize(20);
    }

    @Test
    void oneOutlierSwingsTheLeastSquaresLineButNeitherTheRobustSlopeNorTheQuarterMedians() {
        Trend spike = series(i -> i == 39 ? 1000 : 100, 5);

        assertThat(spike.leastSquaresSlopePerMinute()).as("900 units at the end of 195 s").isGreaterThan(30);
        assertThat(spike.slopePerMinute()).isZero();
        assertThat(spike.quarterMedianGrowth()).isZero();
    }

    private interface Value {
        double at(int i);
    }

    private static Trend series(Value value, double everySeconds) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            samples.add(new Sample(i * everySeconds, value.at(i)));
        }
        return new Trend("test", samples);
    }
}
