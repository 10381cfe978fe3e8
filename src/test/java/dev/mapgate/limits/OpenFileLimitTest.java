package dev.mapgate.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading the open-file limit, and when it is too small for both listeners. */
class OpenFileLimitTest {

    /** /proc/self/limits as Linux 6 writes it. */
    private static final List<String> PROC_LIMITS = List.of(
            "Limit                     Soft Limit           Hard Limit           Units     ",
            "Max cpu time              unlimited            unlimited            seconds   ",
            "Max processes             95432                95432                processes ",
            "Max open files            1024                 524288               files     ",
            "Max locked memory         8388608              8388608              bytes     ");

    @Test
    void theOpenFilesRowOfProcLimitsGivesTheSoftAndTheHardLimit() {
        assertThat(OpenFileLimit.parse(PROC_LIMITS)).hasValue(new OpenFileLimit(1024, 524288));
    }

    @Test
    void unlimitedIsReadAsNoLimit() {
        assertThat(OpenFileLimit.parse(List.of("Max open files            unlimited            unlimited")))
                .hasValue(new OpenFileLimit(OpenFileLimit.UNLIMITED, OpenFileLimit.UNLIMITED));
    }

    @Test
    void aFileWithoutTheRowOrWithAnUnreadableOneGivesNothing() {
        assertThat(OpenFileLimit.parse(PROC_LIMITS.subList(0, 3))).isEmpty();
        assertThat(OpenFileLimit.parse(List.of("Max open files            many                 more")))
                .isEmpty();
        assertThat(OpenFileLimit.parse(List.of("Max open files"))).isEmpty();
    }

    @Test
    void thisProcessHasALimitThatTheJvmRaisedToItsHardLimit() {
        Optional<OpenFileLimit> limit = OpenFileLimit.ofThisProcess();

        assertThat(limit).isPresent();
        if (limit.get().hard() != OpenFileLimit.UNKNOWN) {
            assertThat(limit.get().soft()).as("-XX:+MaxFDLimit, on by default on Linux").isEqualTo(limit.get().hard());
        }
    }

    @Test
    void bothListenersFullNeedTwoPerClientOnePerAdminConnectionAndAReserve() {
        long reserve = OpenFileLimit.RESERVE + 4L * OpenFileLimit.PER_IO_THREAD;

        assertThat(OpenFileLimit.needed(16384, 64, 4)).as("2 x 16384 + 64 + the one accepted over the cap + reserve")
                .isEqualTo(32768 + 64 + 1 + reserve);
    }

    @Test
    void aSoftLimitBelowTheNeedIsExplainedWithTheKeysAndWhereToRaiseIt() {
        long needed = OpenFileLimit.needed(16384, 64, 4);

        Optional<String> problem = new OpenFileLimit(1024, 1024).shortfall(16384, 64, 4);

        assertThat(problem).isPresent();
        assertThat(problem.get()).contains("soft 1024", Long.toString(needed), "mapgate.listen.max-connections (16384",
                "mapgate.admin.max-connections (64)", "LimitNOFILE", "ulimit -n", "--ulimit",
                "lower mapgate.listen.max-connections to " + (1024 - OpenFileLimit.needed(0, 64, 4)) / 2);
    }

    @Test
    void aSoftLimitTooSmallEvenForTheAdminListenerSuggestsNoClientCount() {
        assertThat(new OpenFileLimit(100, 100).shortfall(16384, 64, 4)).hasValueSatisfying(problem ->
                assertThat(problem).doesNotContain("or lower"));
    }

    @Test
    void aSoftLimitThatCoversTheNeedRaisesNothing() {
        long needed = OpenFileLimit.needed(16384, 64, 4);

        assertThat(new OpenFileLimit(needed, needed).shortfall(16384, 64, 4)).isEmpty();
        assertThat(new OpenFileLimit(OpenFileLimit.UNLIMITED, OpenFileLimit.UNLIMITED).shortfall(16384, 64, 4))
                .isEmpty();
        assertThat(new OpenFileLimit(needed - 1, needed).shortfall(16384, 64, 4)).isPresent();
    }

    @Test
    void theLogFormSpellsOutUnlimitedAndUnknown() {
        assertThat(new OpenFileLimit(1024, 4096).describe()).isEqualTo("soft=1024 hard=4096");
        assertThat(new OpenFileLimit(OpenFileLimit.UNLIMITED, OpenFileLimit.UNKNOWN).describe())
                .isEqualTo("soft=unlimited hard=unknown");
    }
}
