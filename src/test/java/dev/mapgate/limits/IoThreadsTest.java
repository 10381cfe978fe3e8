package dev.mapgate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IoThreadsTest {

    @Test
    void theDefaultLeavesACoreForTheKernelAndTheOriginButNeverStartsNone() {
        assertThat(IoThreads.resolve(0, 1)).as("one core").isEqualTo(1);
        assertThat(IoThreads.resolve(0, 2)).as("a 2-core VM or a sidecar limited to two cores").isEqualTo(1);
        assertThat(IoThreads.resolve(0, 4)).isEqualTo(3);
        assertThat(IoThreads.resolve(0, 16)).isEqualTo(15);
    }

    @Test
    void aConfiguredCountIsStartedAsGivenWhateverTheCores() {
        assertThat(IoThreads.resolve(4, 2)).isEqualTo(4);
        assertThat(IoThreads.resolve(1, 64)).isEqualTo(1);
        assertThat(IoThreads.reason(4, 2)).isEqualTo("listen.io-threads");
        assertThat(IoThreads.reason(0, 2)).as("the startup log says how the default was reached")
                .isEqualTo("one per core less one, of 2 cores");
    }
}
