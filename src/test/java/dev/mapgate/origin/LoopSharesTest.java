package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LoopSharesTest {

    @Test
    void equalSharesAddUpToTheCap() {
        assertThat(IntStream.range(0, 4).map(i -> LoopShares.share(1024, 4, i))).containsExactly(256, 256, 256, 256);
    }

    @Test
    void theRemainderGoesOneEachToTheFirstLoops() {
        assertThat(IntStream.range(0, 4).map(i -> LoopShares.share(10, 4, i))).containsExactly(3, 3, 2, 2);
        assertThat(IntStream.range(0, 3).map(i -> LoopShares.share(2, 3, i)).filter(s -> s > 1)).isEmpty();
    }

    @Test
    void everyLoopGetsAtLeastOneEvenWhenTheCapIsSmallerThanTheLoops() {
        assertThat(IntStream.range(0, 4).map(i -> LoopShares.share(2, 4, i))).containsExactly(1, 1, 1, 1);
    }

    @Test
    void aSingleLoopTakesTheWholeCap() {
        assertThat(LoopShares.share(7, 1, 0)).isEqualTo(7);
    }

    @Test
    void noLoopsIsAMistake() {
        assertThatThrownBy(() -> LoopShares.share(7, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
