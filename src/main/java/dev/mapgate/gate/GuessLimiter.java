package dev.mapgate.gate;

import dev.mapgate.config.ThrottleSettings;
import java.net.InetAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds guessing per client address without refusing a credential that is right. One per
 * server, shared by every connection; thread-safe.
 *
 * <p><b>What a cool-down refuses.</b> {@link FailureThrottle} counts wrong credentials. A token
 * and any credential that is not Basic count against the address; a Basic password counts
 * against the address and user name it was sent for, so guessing alice's password from an
 * address shared with bob (an Ingress that is not a trusted proxy) does not lock bob out. While
 * a count is cooling down, the gate still checks the credentials that cost no bcrypt run: a
 * token (one SHA-256) and a Basic password verified before. A right one is served; anything
 * else gets 429 at once. A Basic password that was never verified cannot be told from a guess
 * without the bcrypt run the cool-down exists to withhold, so it waits like one.
 *
 * <p><b>bcrypt checks in flight.</b> An address (an IPv6 /64, as in the throttle) has at most
 * {@value #CHECKS_PER_ADDRESS} bcrypt check running or queued. One is enough for anyone who
 * sends one credential, as Sentry and a browser do: a request with the same credential as the
 * check in flight shares its result instead of running another. A second slot would only double
 * a guesser's share of the bcrypt threads. The check in flight counts against the address's
 * limit before it runs, since no other one starts until its failure is recorded. And with one
 * per address in the queue, plain first-in-first-out order already serves addresses in turn: a
 * login waits for at most one bcrypt run per other address ahead of it, plus its own.
 */
public final class GuessLimiter {

    /** The most bcrypt checks one address may have running or queued. */
    public static final int CHECKS_PER_ADDRESS = 1;

    private final FailureThrottle failures;
    /** Address key to its check in flight; an entry lives from admission to {@link Check#finish}. */
    private final ConcurrentHashMap<Long, Check> inFlight = new ConcurrentHashMap<>();

    public GuessLimiter(FailureThrottle failures) {
        this.failures = Objects.requireNonNull(failures, "failures");
    }

    /** The table behind the limiter, for its gauge. */
    public FailureThrottle failures() {
        return failures;
    }

    /**
     * @return 0 unless a count this credential falls under is cooling down; otherwise the whole
     *         seconds until it ends, for {@code Retry-After}. Whether the credential is right is
     *         the caller's to ask, cheaply, before refusing it.
     */
    public long coolDownSeconds(InetAddress client, String tokenHeaderValue, String authorization) {
        String user = Credentials.basicUserName(authorization);
        long seconds = countsAgainstAddress(user, tokenHeaderValue) ? failures.blockedForSeconds(client) : 0;
        return user == null ? seconds : Math.max(seconds, failures.blockedForSeconds(client, user));
    }

    /**
     * Counts a wrong credential against each count it falls under.
     *
     * @return whether it started a cool-down
     */
    public boolean recordFailure(InetAddress client, String tokenHeaderValue, String authorization,
                                 ThrottleSettings limits) {
        String user = Credentials.basicUserName(authorization);
        boolean tripped = countsAgainstAddress(user, tokenHeaderValue) && failures.recordFailure(client, limits);
        return user != null && failures.recordFailure(client, user, limits) || tripped;
    }

    /**
     * Asks to run a bcrypt check for {@code client}. The caller must {@link Check#finish finish}
     * an admitted check in every case, after counting its failure, or the address stays busy.
     */
    public Admission admit(InetAddress client, String tokenHeaderValue, String authorization) {
        Check mine = new Check(FailureThrottle.keyOf(client), new Presented(tokenHeaderValue, authorization));
        Check there = inFlight.putIfAbsent(mine.addressKey, mine);
        if (there == null) {
            return mine;
        }
        return there.presented.equals(mine.presented) ? new Shared(there.result) : Busy.INSTANCE;
    }

    /** Checks in flight now; for tests. */
    int inFlight() {
        return inFlight.size();
    }

    /** A Basic password counts against its user; a token beside it, or any other credential, against the address. */
    private static boolean countsAgainstAddress(String basicUser, String tokenHeaderValue) {
        return basicUser == null || (tokenHeaderValue != null && !tokenHeaderValue.isBlank());
    }

    /** What {@link #admit} answered. */
    public sealed interface Admission permits Check, Shared, Busy {
    }

    /** Admitted: run the check, count a failure, then {@link #finish}. */
    public final class Check implements Admission {
        private final long addressKey;
        private final Presented presented;
        private final CompletableFuture<Decision> result = new CompletableFuture<>();

        private Check(long addressKey, Presented presented) {
            this.addressKey = addressKey;
            this.presented = presented;
        }

        /** Frees the address for its next check and hands {@code decision} to the requests that shared this one. */
        public void finish(Decision decision) {
            inFlight.remove(addressKey, this);
            result.complete(decision);
        }
    }

    /**
     * The same credential from the same address is being checked: wait for that result. It was
     * counted once, as one guess.
     */
    public record Shared(CompletableFuture<Decision> result) implements Admission {
    }

    /** The address already has a check in flight for another credential: refuse with 429 at once. */
    public enum Busy implements Admission {
        INSTANCE
    }

    /** The credentials of one request, compared whole; never shown. */
    private record Presented(String tokenHeaderValue, String authorization) {
        @Override
        public String toString() {
            return "Presented[<redacted>]";
        }
    }
}
