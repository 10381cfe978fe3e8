package dev.mapgate.gate;

import java.net.InetAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds guessing per client address without refusing a credential that is right. One per
 * server, shared by every connection; thread-safe.
 *
 * <p><b>Counts.</b> {@link FailureThrottle} counts wrong credentials under three kinds of key. A
 * wrong token, and any credential that is not a Basic password for the configured users, counts
 * against the address. A wrong Basic password counts against the address and the user name it
 * was sent for, so guessing alice's password from an address shared with bob (an Ingress that is
 * not a trusted proxy) does not lock bob out; and against all the address's passwords, with
 * {@value #PASSWORDS_FACTOR} times the limit, so that spraying one password over many user names
 * is bounded too. Without Basic users a Basic credential is just a wrong credential: it counts
 * against the address, and cannot fill the table with a key per invented name.
 *
 * <p><b>What a cool-down refuses.</b> Guesses. A request that a cooling-down count covers still
 * gets its credential checked if that costs no bcrypt run: a token (one SHA-256) or a Basic
 * password verified before. A right one is served; anything else gets 429 at once. A Basic
 * password never verified cannot be told from a guess without the bcrypt run the cool-down
 * exists to withhold, so it waits like one. A request with no credential at all is no guess and
 * costs nothing to refuse: it gets the usual denial (a browser still sees the 401 challenge).
 *
 * <p><b>bcrypt checks in flight.</b> An address (an IPv6 /64, as in the throttle) has at most
 * {@value #CHECKS_PER_ADDRESS} bcrypt check running or queued. One is enough for anyone who
 * sends one credential, as Sentry and a browser do: a request with the same credential, judged
 * by the same config snapshot, shares the result of the check in flight instead of running
 * another. A second slot would only double a guesser's share of the bcrypt threads. A check's
 * failure is counted before its slot is freed, so checks in flight cannot overrun a limit. And
 * with one per address in the queue, plain first-in-first-out order serves addresses in turn: a
 * login waits for at most one bcrypt run per other address ahead of it, plus its own.
 */
public final class GuessLimiter {

    /** The most bcrypt checks one address may have running or queued. */
    public static final int CHECKS_PER_ADDRESS = 1;

    /** How many times {@code max-failures} wrong passwords, over all user names, cool an address's passwords down. */
    public static final int PASSWORDS_FACTOR = 10;

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
     * @param basicUsers whether Basic users are configured (see the class comment)
     * @return 0 unless a count this request falls under is cooling down; otherwise the whole
     *         seconds until it ends, for {@code Retry-After}. Whether the credential is right is
     *         the caller's to ask, cheaply, before refusing it.
     */
    public long coolDownSeconds(InetAddress client, String tokenHeaderValue, String authorization,
                                boolean basicUsers) {
        return coolDownSeconds(client, null, tokenHeaderValue, authorization, basicUsers);
    }

    /**
     * As {@link #coolDownSeconds(InetAddress, String, String, boolean)}, for a request judged by
     * {@code site} ({@code null}: the gate's own settings): each site counts apart.
     */
    public long coolDownSeconds(InetAddress client, String site, String tokenHeaderValue, String authorization,
                                boolean basicUsers) {
        if (client == null || (isBlank(tokenHeaderValue) && isBlank(authorization))) {
            return 0;
        }
        String user = basicUsers ? Credentials.basicUserName(authorization) : null;
        long seconds = countsAgainstAddress(user, tokenHeaderValue)
                ? failures.blockedForSeconds(failures.inSite(failures.addressKey(client), site)) : 0;
        if (user != null) {
            seconds = Math.max(seconds, Math.max(
                    failures.blockedForSeconds(failures.inSite(failures.userKey(client, user), site)),
                    failures.blockedForSeconds(failures.inSite(failures.passwordsKey(client), site))));
        }
        return seconds;
    }

    /**
     * Counts a wrong credential against each count it falls under.
     *
     * @return whether it started a cool-down
     */
    public boolean recordFailure(InetAddress client, String tokenHeaderValue, String authorization,
                                 boolean basicUsers, ThrottleSettings limits) {
        return recordFailure(client, null, tokenHeaderValue, authorization, basicUsers, limits);
    }

    /** As {@link #recordFailure(InetAddress, String, String, boolean, ThrottleSettings)}, in {@code site}. */
    public boolean recordFailure(InetAddress client, String site, String tokenHeaderValue, String authorization,
                                 boolean basicUsers, ThrottleSettings limits) {
        if (client == null) {
            return false;
        }
        String user = basicUsers ? Credentials.basicUserName(authorization) : null;
        boolean tripped = false;
        if (countsAgainstAddress(user, tokenHeaderValue)) {
            tripped = failures.recordFailure(failures.inSite(failures.addressKey(client), site), limits);
        }
        if (user != null) {
            tripped |= failures.recordFailure(failures.inSite(failures.userKey(client, user), site), limits);
            tripped |= failures.recordFailure(failures.inSite(failures.passwordsKey(client), site),
                    passwordLimits(limits));
        }
        return tripped;
    }

    /**
     * Asks to run a bcrypt check for {@code client}. The caller must {@link Check#finish finish}
     * an admitted check on every path, after counting its failure, or the address stays busy.
     *
     * @param judgedBy the policy the check is judged by, compared by identity: a request under
     *                 another policy (another site's, or one loaded by a reload) must not take this
     *                 one's result
     */
    public Admission admit(InetAddress client, String tokenHeaderValue, String authorization, Object judgedBy) {
        Check mine = new Check(failures.addressKey(client), new Presented(tokenHeaderValue, authorization), judgedBy);
        Check there = inFlight.putIfAbsent(mine.addressKey, mine);
        if (there == null) {
            return mine;
        }
        if (there.judgedBy == judgedBy && there.presented.equals(mine.presented)) {
            there.sharers.incrementAndGet();
            return new Shared(there.result);
        }
        return Busy.INSTANCE;
    }

    /** Checks in flight now; for tests. */
    int inFlight() {
        return inFlight.size();
    }

    /** A Basic password counts against its user; a token beside it, or any other credential, against the address. */
    private static boolean countsAgainstAddress(String basicUser, String tokenHeaderValue) {
        return basicUser == null || !isBlank(tokenHeaderValue);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static ThrottleSettings passwordLimits(ThrottleSettings limits) {
        int max = (int) Math.min(Integer.MAX_VALUE, (long) limits.maxFailures() * PASSWORDS_FACTOR);
        return new ThrottleSettings(limits.enabled(), max, limits.window(), limits.coolDown(), limits.maxTracked());
    }

    /** What {@link #admit} answered. */
    public sealed interface Admission permits Check, Shared, Busy {
    }

    /** Admitted: run the check, count a failure, then {@link #finish}. */
    public final class Check implements Admission {
        private final long addressKey;
        private final Presented presented;
        private final Object judgedBy;
        private final CompletableFuture<Decision> result = new CompletableFuture<>();
        private final AtomicInteger sharers = new AtomicInteger();

        private Check(long addressKey, Presented presented, Object judgedBy) {
            this.addressKey = addressKey;
            this.presented = presented;
            this.judgedBy = judgedBy;
        }

        /** Whether other requests wait for this check's result, so that it must run even if its own client left. */
        public boolean isShared() {
            return sharers.get() > 0;
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
