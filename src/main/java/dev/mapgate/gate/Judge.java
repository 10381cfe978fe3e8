package dev.mapgate.gate;

import java.net.InetAddress;

/**
 * Everything that decides a request's fate at the gate once its path and client are known, in
 * the order it is decided: the cool-down, then whether bcrypt must run, then the policy's
 * decision, then whether a failure counts towards a cool-down. Plain Java over the policy and the
 * shared guess counts; the gate's handler only carries out the {@link Step} it returns, running
 * the slow check off the event loop.
 */
public final class Judge {

    private final GuessLimiter guesses;

    /** @param guesses failed credentials and bcrypt checks per address, one for the whole server */
    public Judge(GuessLimiter guesses) {
        this.guesses = guesses;
    }

    /** What the gate does next with a request. */
    public sealed interface Step permits Throttled, CheckSlowly, Decided {
    }

    /** 429 without looking at the credential: its address is cooling down. */
    public record Throttled(long retryAfterSeconds) implements Step {
    }

    /**
     * A Basic password bcrypt has not verified yet: too slow for the event loop.
     *
     * @param limited whether the address's guessing is limited, so that the check must first be
     *                admitted ({@link GuessLimiter#admit})
     */
    public record CheckSlowly(boolean limited) implements Step {
    }

    /**
     * Decided at once, a failure already counted.
     *
     * @param coolDownStarted whether this failure started its address's cool-down
     */
    public record Decided(Decision decision, boolean coolDownStarted) implements Step {
    }

    /**
     * The first look at a request. Guessing is limited per address, except for clients whose
     * address is unknown (denied anyway) and addresses in allow-ips ({@link GatePolicy#mayThrottle}).
     */
    public Step first(GatePolicy policy, ThrottleSettings throttle, String path, ClientAddress client,
                      Presented presented) {
        InetAddress address = client.address();
        boolean limited = address != null && policy.mayThrottle(address);
        // The table first: almost always a miss, and cheaper than matching the path's globs.
        long retryAfter = limited ? coolDownSeconds(policy, throttle, address, presented) : 0;
        if (retryAfter > 0 && policy.route(path) == Route.GATED
                && !policy.isCheaplyValid(presented.token(), presented.authorization())) {
            return new Throttled(retryAfter);
        }
        // isSlow first: it is cheap and almost always false, which spares a second glob match.
        if (policy.isSlow(presented.token(), presented.authorization()) && policy.route(path) == Route.GATED) {
            return new CheckSlowly(limited);
        }
        Decision decision = decide(policy, path, client, presented);
        return new Decided(decision, countFailure(policy, throttle, decision, address, presented));
    }

    /**
     * The policy's decision; on the event loop or, for a slow check, a verifier thread. A
     * credential set aside as ambiguous is a bad one, not a missing one.
     */
    public static Decision decide(GatePolicy policy, String path, ClientAddress client, Presented presented) {
        Decision decision = policy.decide(path, client, presented.token(), presented.authorization());
        return presented.ambiguous() && decision.reason() == DenyReason.NO_CREDENTIAL
                ? policy.deny(DenyReason.BAD_CREDENTIAL) : decision;
    }

    /** Seconds left of the address's cool-down for this credential; 0 when none applies. */
    public long coolDownSeconds(GatePolicy policy, ThrottleSettings throttle, InetAddress address, Presented presented) {
        if (!throttle.enabled()) {
            return 0;
        }
        return guesses.coolDownSeconds(address, policy.site(), presented.token(), presented.authorization(),
                policy.credentials().hasBasicUsers());
    }

    /**
     * Counts a failure towards its address's cool-down. Only a credential that was tried and
     * failed counts: not a missing one (someone opening a map is not guessing), nor one the ip
     * check refused before trying it. Safe on any thread: it reads nothing but its arguments and
     * the shared counts.
     *
     * @return whether this failure started a cool-down
     */
    public boolean countFailure(GatePolicy policy, ThrottleSettings throttle, Decision decision, InetAddress address,
                                Presented presented) {
        return decision.reason() == DenyReason.BAD_CREDENTIAL && throttle.enabled() && address != null
                && policy.mayThrottle(address)
                && guesses.recordFailure(address, policy.site(), presented.token(), presented.authorization(),
                        policy.credentials().hasBasicUsers(), throttle);
    }

    public GuessLimiter guesses() {
        return guesses;
    }
}
