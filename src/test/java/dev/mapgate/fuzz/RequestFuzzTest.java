package dev.mapgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.Heavy;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "bad input" fuzzer of issue 9: mutated requests through mapgate's whole client pipeline,
 * 100,000 cases per run by default, judged by {@link Oracle}: no map without a valid credential
 * from an allowed client, no 5xx, no unhandled exception, no stuck connection. The full run is
 * {@link Heavy}; the default build runs a sample of 2,000.
 *
 * <p>Each case is one connection: a valid seed (setup, client, optional PROXY header, one to four
 * pipelined GET/HEAD/POST requests for maps and assets, with or without credentials, ranges,
 * chunked bodies) changed by {@link Mutator} and cut into writes at random. The pipeline is
 * mapgate's own initializer on an in-memory channel ({@link CaseRunner}), so a case takes
 * tens of microseconds instead of a socket round trip, and clock and timeouts are under the
 * test's control.
 *
 * <p>Randomness is a plain {@code SplittableRandom} seeded per case from the run's seed and the
 * case's index, rather than jqwik or Jazzer: neither is among the project's dependencies, jqwik's
 * shrinking is little use on byte strings whose meaning is positional, and Jazzer's coverage
 * guidance needs its own agent and runner. A seed and an index are enough to replay any case
 * alone, which is what a failure report gives:
 * <pre>
 *   mvn -o test -Dtest=RequestFuzzTest -Dmapgate.fuzz.seed=0x1234 -Dmapgate.fuzz.case=4711
 * </pre>
 * Properties: {@code mapgate.fuzz.seed} (hex with 0x, or decimal; random and printed when unset),
 * {@code mapgate.fuzz.cases} (the full run's, default 100000), {@code mapgate.fuzz.case} (run only that one and
 * print it in full), {@code mapgate.fuzz.reports} (violating cases shown in full, default 10). A failing case is then kept in {@link FuzzRegressionsTest} as the bytes the
 * report prints ({@code FuzzCase.replay(...)}), which stay valid when the generator changes.
 */
class RequestFuzzTest {

    static final String SEED = "mapgate.fuzz.seed";
    static final String CASES = "mapgate.fuzz.cases";
    static final String CASE = "mapgate.fuzz.case";
    private static final int DEFAULT_CASES = 100_000;
    /** Cases in the default build's sample; the heavy profile runs {@link #DEFAULT_CASES}. */
    private static final int SAMPLE_CASES = 2_000;
    static final String REPORTS = "mapgate.fuzz.reports";
    /** Violating cases reported in full by default; the counts cover them all. */
    private static final int DEFAULT_REPORTS = 10;

    @Test
    @Heavy
    void mutatedRequestsNeverGetAMapA5xxAnExceptionOrAStuckConnection(@TempDir Path dir) {
        fuzz(dir, Integer.parseInt(System.getProperty(CASES, Integer.toString(DEFAULT_CASES)).replace("_", "")));
    }

    /**
     * The default build's share: the first {@link #SAMPLE_CASES} cases of a fresh seed, so that a
     * change that breaks the rules is likely caught before CI's full run. Also what replays one
     * case ({@code -Dmapgate.fuzz.case}) in the default build, which leaves the full run out.
     */
    @Test
    void aSampleOfMutatedRequestsNeverGetsAMapA5xxAnExceptionOrAStuckConnection(@TempDir Path dir) {
        fuzz(dir, SAMPLE_CASES);
    }

    private static void fuzz(Path dir, int cases) {
        long seed = seed();
        String only = System.getProperty(CASE);
        int reported = Integer.parseInt(System.getProperty(REPORTS, Integer.toString(DEFAULT_REPORTS)));
        Setups site = Setups.create(dir);
        CaseGenerator generator = new CaseGenerator(null);
        Tally tally = new Tally();
        List<String> reports = new ArrayList<>();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long started = System.nanoTime();
        long startedCpu = threads.getCurrentThreadCpuTime();
        try (CaseRunner mapgate = new CaseRunner(site)) {
            int first = only == null ? 0 : Integer.parseInt(only);
            int last = only == null ? cases : first + 1;
            for (int index = first; index < last; index++) {
                FuzzCase c = generator.generate(seed, index);
                Outcome outcome = mapgate.run(c);
                List<String> violations = Oracle.judge(c, outcome);
                tally.add(c, outcome, violations);
                if (only != null) {
                    System.out.println("fuzz: case " + index + " " + c.describe() + "\n  outcome: " + outcome
                            + "\n  as a regression: " + c.asReplay());
                }
                if (!violations.isEmpty() && reports.size() < reported) {
                    reports.add(report(seed, c, violations));
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // CPU time too: on a shared machine the wall time says more about the neighbours.
        double cpuSeconds = (threads.getCurrentThreadCpuTime() - startedCpu) / 1e9;
        System.out.println(tally.summary(seed, seconds, cpuSeconds));
        assertThat(reports)
                .as("fuzz violations (seed 0x%s; %d cases violated a rule, the first %d shown)",
                        Long.toHexString(seed), tally.violatingCases(), reports.size())
                .isEmpty();
        if (only == null && cases >= 1000) {
            assertThat(tally.mapsServed())
                    .as("entitled requests got maps, so the oracle had something to tell apart")
                    .isPositive();
        }
    }

    static String report(long seed, FuzzCase c, List<String> violations) {
        return "case " + c.index() + ": " + String.join("\n    ", violations) + "\n  " + c.describe()
                + "\n  reproduce: mvn -o test -Dtest=RequestFuzzTest -D" + SEED + "=0x" + Long.toHexString(seed)
                + " -D" + CASE + "=" + c.index()
                + "\n  keep as a regression: " + c.asReplay() + "\n";
    }

    static long seed() {
        String text = System.getProperty(SEED);
        if (text == null || text.isBlank()) {
            return ThreadLocalRandom.current().nextLong();
        }
        text = text.trim();
        return text.startsWith("0x") || text.startsWith("0X")
                ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
    }
}
