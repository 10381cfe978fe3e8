package dev.mapgate.origin;

/**
 * Splits {@code origin.max-connections} among the event loops. Each loop keeps its own
 * connections, because a connection is only ever driven by one thread; so the cap for the process
 * is met by giving each loop a fixed share rather than by a shared counter every loop would have
 * to lock, and a request waits for its own loop's share.
 */
public final class LoopShares {

    private LoopShares() {
    }

    /**
     * The share of loop number {@code index} (0-based) of {@code loops}: equal shares, the first
     * loops taking one more each until the remainder is used up, so the shares add up to
     * {@code max}; never below 1, or a loop could never reach the origin (only possible when
     * {@code max < loops}, which the config loader refuses when the loop count is known).
     */
    public static int share(int max, int loops, int index) {
        if (loops <= 0) {
            throw new IllegalArgumentException("loops must be positive: " + loops);
        }
        int share = max / loops + (index % loops < max % loops ? 1 : 0);
        return Math.max(1, share);
    }
}
