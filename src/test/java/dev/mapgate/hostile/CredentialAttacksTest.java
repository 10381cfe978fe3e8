package dev.mapgate.hostile;

import static dev.mapgate.testing.MetricsScrape.value;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MetricsScrape;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks on credentials that a hostile review ran against mapgate, replayed over real
 * sockets from loopback addresses: locking Sentry out by guessing from its address, slipping
 * concurrent guesses past the throttle, starving other logins of bcrypt, and telling user names
 * apart by the time a wrong password takes. Each prints what it measured.
 */
@Heavy
class CredentialAttacksTest {

    /** Long and random, as a Sentry security token should be. */
    static final String TOKEN = "9f1c2e7a4b8d3f6051e2c9a7b4d8e3f1a6c5b2d9e8f7a3c1";
    static final String MAP = "/assets/app.js.map";

    @TempDir
    Path dir;

    @Test
    void guessesFromSentrysAddressDoNotLockOutTheRightToken() throws Exception {
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate {
                       require = [credential]
                       token.tokens = [ { name = "sentry", value = "%s" } ]
                       throttle { max-failures = 10, window = 1m, cool-down = 5m }
                     }
                     """.formatted(origin.url(), TOKEN))) {
            // Behind an Ingress that is not a trusted proxy, Sentry and the attacker share one address.
            try (RawClient shared = mapgate.connectFrom("127.0.0.21")) {
                for (int i = 0; i < 10; i++) {
                    assertThat(shared.get(MAP, "X-Sentry-Token: guess-" + i).status()).isEqualTo(404);
                }
                ResponseReader.Response guess = shared.get(MAP, "X-Sentry-Token: guess-10");
                ResponseReader.Response sentry = shared.get(MAP, "X-Sentry-Token: " + TOKEN);
                ResponseReader.Response guessAgain = shared.get(MAP, "X-Sentry-Token: guess-11");
                ResponseReader.Response none = shared.get(MAP);
                System.out.printf("token lockout: after 10 wrong tokens, a guess got %d (Retry-After %s),"
                        + " the right token %d, another guess %d%n", guess.status(), guess.header("Retry-After"),
                        sentry.status(), guessAgain.status());

                assertThat(guess.status()).as("guessing is slowed").isEqualTo(429);
                assertThat(guess.header("Retry-After")).isNotNull();
                assertThat(sentry.status()).as("the right token is served in the cool-down").isEqualTo(200);
                assertThat(sentry.bodyText()).isEqualTo(TestOrigin.APP_MAP);
                assertThat(guessAgain.status()).as("and does not end the cool-down").isEqualTo(429);
                assertThat(none.status()).as("no credential is no guess: the usual denial").isEqualTo(404);
            }
        }
    }

    @Test
    void guessesAtOneUserLockOutNeitherAnotherUserNorARememberedPassword() throws Exception {
        String alice = BCrypt.withDefaults().hashToString(4, "alice-right".toCharArray());
        String bob = BCrypt.withDefaults().hashToString(4, "bob-right".toCharArray());
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate {
                       require = [credential]
                       basic.users = [ { name = "alice", password-hash = "%s" }, { name = "bob", password-hash = "%s" } ]
                       throttle { max-failures = 10, window = 1m, cool-down = 5m }
                     }
                     """.formatted(origin.url(), alice, bob))) {
            try (RawClient shared = mapgate.connectFrom("127.0.0.22")) {
                assertThat(shared.get(MAP, basic("alice", "alice-right")).status()).isEqualTo(200);
                for (int i = 0; i < 10; i++) {
                    assertThat(shared.get(MAP, basic("alice", "guess-" + i)).status()).isEqualTo(404);
                }
                double ranBefore = passwordChecks(mapgate, "checked");
                ResponseReader.Response guess = shared.get(MAP, basic("alice", "guess-10"));
                double ranForGuess = passwordChecks(mapgate, "checked") - ranBefore;
                ResponseReader.Response remembered = shared.get(MAP, basic("alice", "alice-right"));
                ResponseReader.Response otherUser = shared.get(MAP, basic("bob", "bob-right"));
                System.out.printf("basic lockout: after 10 wrong passwords for alice, a guess got %d with %.0f bcrypt"
                        + " runs, alice's remembered password %d, bob's first login %d%n", guess.status(), ranForGuess,
                        remembered.status(), otherUser.status());

                assertThat(guess.status()).as("guessing alice's password is slowed").isEqualTo(429);
                assertThat(ranBefore).as("bcrypt runs are counted").isPositive();
                assertThat(ranForGuess).as("and costs no bcrypt run").isZero();
                assertThat(remembered.status()).as("a password verified before is served").isEqualTo(200);
                assertThat(otherUser.status()).as("another user is not locked out").isEqualTo(200);
            }
        }
    }

    /**
     * 150 wrong passwords for one user from one address at once, against a limit of 10: before,
     * every one of them ran bcrypt.
     */
    @Test
    void aBurstOfConcurrentGuessesRunsNoMoreChecksThanTheLimit() throws Exception {
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate {
                       require = [credential]
                       basic.users = [ %s ]
                       throttle { max-failures = 10, window = 1m, cool-down = 5m }
                     }
                     """.formatted(origin.url(), users(10, "alice")))) {
            int burst = 150;
            ExecutorService pool = Executors.newFixedThreadPool(burst);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> guesses = new ArrayList<>();
                for (int i = 0; i < burst; i++) {
                    String password = "guess-" + i;
                    RawClient client = mapgate.connectFrom("127.0.0.31");
                    guesses.add(pool.submit(() -> {
                        try (client) {
                            go.await();
                            return client.get(MAP, basic("alice", password)).status();
                        }
                    }));
                }
                long start = System.nanoTime();
                go.countDown();
                int[] statuses = new int[600];
                for (Future<Integer> guess : guesses) {
                    statuses[guess.get(60, TimeUnit.SECONDS)]++;
                }
                long took = System.nanoTime() - start;
                double checked = passwordChecks(mapgate, "checked");
                System.out.printf("concurrent guesses: %d wrong passwords at once from one address in %.0f ms:"
                        + " %d x 404, %d x 429; bcrypt runs %.0f (limit 10 a minute)%n", burst, took / 1e6,
                        statuses[404], statuses[429], checked);

                assertThat(statuses[404] + statuses[429]).isEqualTo(burst);
                assertThat(checked).as("bcrypt runs are counted").isPositive();
                assertThat(checked).as("checks in flight count against the limit").isLessThanOrEqualTo(10);
                assertThat(statuses[404]).isEqualTo((int) checked);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * One common password tried against one user name after another: no user's count trips, but
     * the address's passwords cool down after 10 times max-failures.
     */
    @Test
    void sprayingOnePasswordOverManyUserNamesIsBoundedPerAddress() throws Exception {
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate {
                       require = [credential]
                       token.tokens = [ { name = "sentry", value = "%s" } ]
                       basic.users = [ %s ]
                       throttle { max-failures = 10, window = 1m, cool-down = 5m }
                     }
                     """.formatted(origin.url(), TOKEN, users(4, "bob")))) {
            int[] statuses = new int[600];
            try (RawClient sprayer = mapgate.connectFrom("127.0.0.35")) {
                for (int i = 0; i < 150; i++) {
                    statuses[sprayer.get(MAP, basic("name" + i, "Summer2026!")).status()]++;
                }
                double checked = passwordChecks(mapgate, "checked");
                int bob = sprayer.get(MAP, basic("bob", "bob-right")).status();
                int token = sprayer.get(MAP, "X-Sentry-Token: " + TOKEN).status();
                System.out.printf("spraying: 150 user names with one password from one address: %d x 404, %d x 429;"
                        + " bcrypt runs %.0f; then bob's first login %d, the token %d%n", statuses[404], statuses[429],
                        checked, bob, token);

                assertThat(checked).as("10 x max-failures wrong passwords, then none").isEqualTo(100);
                assertThat(statuses[404]).isEqualTo(100);
                assertThat(statuses[429]).isEqualTo(50);
                assertThat(bob).as("a password never verified waits like a guess (README)").isEqualTo(429);
                assertThat(token).as("a token is still served").isEqualTo(200);
            }
        }
    }

    /**
     * Three addresses keep guessing, each on 16 connections and each guess for a new user name, so
     * that no cool-down stops them; meanwhile another address logs in, every time as a user
     * never verified before. Before, its login queued behind every guess in flight.
     */
    @Test
    void sustainedGuessingFromOtherAddressesDelaysALoginByAtMostOneRunEach() throws Exception {
        List<String> attackers = List.of("127.0.0.32", "127.0.0.33", "127.0.0.34");
        int logins = 5;
        String[] names = new String[logins + 1];
        names[0] = "dave";
        for (int i = 1; i <= logins; i++) {
            names[i] = "carol" + i;
        }
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate {
                       require = [credential]
                       basic.users = [ %s ]
                       throttle { max-failures = 10, window = 1m, cool-down = 5m }
                     }
                     """.formatted(origin.url(), users(10, names)))) {
            long[] alone = new long[3];
            for (int i = 0; i < alone.length; i++) {
                alone[i] = timeLogin(mapgate, "127.0.0.30", "dave", "wrong-" + i);
            }
            Arrays.sort(alone);
            long oneRun = alone[1];

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger sent = new AtomicInteger();
            int connections = 16;
            ExecutorService pool = Executors.newFixedThreadPool(attackers.size() * connections);
            long[] waits = new long[logins];
            int[] statuses = new int[logins];
            int[] ranMeanwhile = new int[logins];
            try {
                List<Future<?>> guessing = new ArrayList<>();
                for (String attacker : attackers) {
                    for (int c = 0; c < connections; c++) {
                        guessing.add(pool.submit(() -> {
                            try (RawClient client = mapgate.connectFrom(attacker)) {
                                while (!stop.get()) {
                                    int n = sent.incrementAndGet();
                                    if (client.get(MAP, basic("name" + n, "guess")).status() == 429) {
                                        // Refused without a check: pausing keeps this load generator,
                                        // on the same two cores, from measuring itself instead.
                                        TimeUnit.MILLISECONDS.sleep(100);
                                    }
                                }
                            }
                            return null;
                        }));
                    }
                }
                // Long enough for every guessing connection to have sent its first guess, and for
                // the burst of starting 48 threads and connections to be over.
                TimeUnit.MILLISECONDS.sleep(500);
                // The first scrape is slow (class loading); checks finishing during it would count.
                checksRun(mapgate);
                for (int i = 0; i < logins; i++) {
                    double before = checksRun(mapgate);
                    long start = System.nanoTime();
                    statuses[i] = timedStatus(mapgate, "127.0.0.40", names[i + 1], names[i + 1] + "-right");
                    waits[i] = System.nanoTime() - start;
                    ranMeanwhile[i] = (int) (checksRun(mapgate) - before);
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                stop.set(true);
                for (Future<?> g : guessing) {
                    g.get(30, TimeUnit.SECONDS);
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            long[] sorted = waits.clone();
            Arrays.sort(sorted);
            StringBuilder each = new StringBuilder();
            for (int i = 0; i < logins; i++) {
                each.append(String.format(" %.0f ms (%d checks)", waits[i] / 1e6, ranMeanwhile[i]));
            }
            System.out.printf("sustained guessing: %d addresses x %d connections sent %d guesses; one bcrypt run"
                    + " alone %.1f ms; 5 cold logins from another address took:%s%n", attackers.size(), connections,
                    sent.get(), oneRun / 1e6, each);
            // What a login waits for, counted rather than timed, since the time of a run depends on
            // what else the machine does: the checks that finished while it waited.
            double run = checkSeconds(mapgate) * 1e9;
            System.out.printf("sustained guessing: a check ran %.1f ms on average; median login %.1f runs%n",
                    run / 1e6, sorted[logins / 2] / run);

            assertThat(statuses).containsOnly(200);
            // One check per guessing address ahead of it, plus its own, plus up to two that finish
            // between reading the count (a scrape over HTTP) and the login's admission, each
            // followed by its address's next guess. Before, the queue held every guess in flight: 48.
            assertThat(Arrays.stream(ranMeanwhile).max().orElseThrow())
                    .as("a login waits for at most one bcrypt run per guessing address")
                    .isLessThanOrEqualTo(attackers.size() + 3);
            assertThat((double) sorted[logins / 2]).as("and so its time is a few runs, whatever the load")
                    .isLessThan((attackers.size() + 1) * run * 2 + TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    /** bcrypt checks finished so far, from the scrape. */
    static double checksRun(TestMapgate mapgate) throws Exception {
        return value(MetricsScrape.of(mapgate.server().adminAddress().getPort()),
                "mapgate_gate_password_check_seconds_count");
    }

    /** The average time a bcrypt check ran, in seconds. */
    static double checkSeconds(TestMapgate mapgate) throws Exception {
        String scrape = MetricsScrape.of(mapgate.server().adminAddress().getPort());
        return value(scrape, "mapgate_gate_password_check_seconds_sum")
                / value(scrape, "mapgate_gate_password_check_seconds_count");
    }

    /**
     * htpasswd -nB hashes at cost 5 and hash-password at 12. With such a mix, a wrong password for
     * an unknown user must not take a time that no user takes.
     */
    @Test
    void theTimeOfAWrongPasswordDoesNotTellWhetherTheUserExists() throws Exception {
        String alice = BCrypt.withDefaults().hashToString(4, "alice-right".toCharArray());
        String bob = BCrypt.withDefaults().hashToString(11, "bob-right".toCharArray());
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate {
                       require = [credential]
                       basic.users = [ { name = "alice", password-hash = "%s" }, { name = "bob", password-hash = "%s" } ]
                       throttle.enabled = off
                     }
                     """.formatted(origin.url(), alice, bob))) {
            long fast = medianWrongPassword(mapgate, "alice");
            long slow = medianWrongPassword(mapgate, "bob");
            long threshold = (long) Math.sqrt((double) fast * slow);
            int unknownFast = 0;
            int unknownSlow = 0;
            StringBuilder times = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                long time = medianWrongPassword(mapgate, "user" + i);
                times.append(String.format(" %.1f", time / 1e6));
                if (time < threshold) {
                    unknownFast++;
                } else {
                    unknownSlow++;
                }
            }
            System.out.printf("enumeration: wrong password for alice (cost 4) %.1f ms, bob (cost 11) %.1f ms;"
                    + " 20 unknown users (ms):%s; %d like alice, %d like bob%n", fast / 1e6, slow / 1e6, times,
                    unknownFast, unknownSlow);

            assertThat(slow).as("the two costs are told apart").isGreaterThan(fast * 8);
            assertThat(unknownFast).as("some unknown users answer as fast as alice").isPositive();
            assertThat(unknownSlow).as("and some as slowly as bob").isPositive();
        }
    }

    @Test
    void withOneCostAnUnknownUserTakesAsLongAsAKnownOne() throws Exception {
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate {
                       require = [credential]
                       basic.users = [ %s ]
                       throttle.enabled = off
                     }
                     """.formatted(origin.url(), users(9, "alice", "bob")))) {
            long known = medianWrongPassword(mapgate, "alice");
            long unknown = medianWrongPassword(mapgate, "mallory");
            System.out.printf("enumeration, one cost: wrong password for alice %.1f ms, for unknown mallory %.1f ms%n",
                    known / 1e6, unknown / 1e6);

            assertThat((double) unknown / known).isBetween(0.5, 2.0);
        }
    }

    static String users(int cost, String... names) {
        StringBuilder users = new StringBuilder();
        for (String name : names) {
            String hash = BCrypt.withDefaults().hashToString(cost, (name + "-right").toCharArray());
            users.append(users.length() == 0 ? "" : ", ").append("{ name = \"").append(name).append("\", password-hash = \"").append(hash).append("\" }");
        }
        return users.toString();
    }

    static String basic(String user, String password) {
        return "Authorization: Basic "
                + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The median of 5 wrong-password requests for {@code user}, each on a fresh connection. */
    static long medianWrongPassword(TestMapgate mapgate, String user) throws Exception {
        long[] times = new long[5];
        for (int i = 0; i < times.length; i++) {
            times[i] = timeLogin(mapgate, "127.0.0.50", user, "wrong-" + i);
        }
        Arrays.sort(times);
        return times[times.length / 2];
    }

    static long timeLogin(TestMapgate mapgate, String source, String user, String password) throws Exception {
        try (RawClient client = mapgate.connectFrom(source)) {
            long start = System.nanoTime();
            client.get(MAP, basic(user, password));
            return System.nanoTime() - start;
        }
    }

    static int timedStatus(TestMapgate mapgate, String source, String user, String password) throws Exception {
        try (RawClient client = mapgate.connectFrom(source)) {
            return client.get(MAP, basic(user, password)).status();
        }
    }

    static double passwordChecks(TestMapgate mapgate, String result) throws Exception {
        String scrape = MetricsScrape.of(mapgate.server().adminAddress().getPort());
        // -1 when absent, so that a run on a build without the meter still prints its figures.
        return scrape.contains("mapgate_gate_password_checks_total{")
                ? value(scrape, "mapgate_gate_password_checks_total", "result=\"" + result + "\"") : -1;
    }
}
