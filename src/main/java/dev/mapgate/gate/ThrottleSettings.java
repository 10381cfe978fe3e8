package dev.mapgate.gate;

import java.time.Duration;
import java.util.Objects;

/**
 * Brute-force throttling of failed credentials (the gate's throttle settings). reference.conf
 * documents each key.
 *
 * @param enabled     whether failures are counted and addresses cooled down at all
 * @param maxFailures wrong credentials from one address within {@code window} that start its cool-down
 * @param window      how long failures are counted together, from an address's first one
 * @param coolDown    how long an address that reached {@code maxFailures} gets 429 on gated paths
 * @param maxTracked  how many addresses are kept at most; fixed for the life of the server
 */
public record ThrottleSettings(boolean enabled, int maxFailures, Duration window, Duration coolDown,
                               int maxTracked) {

    /** Longest window or cool-down; far beyond any use, and well inside what nanoTime arithmetic can hold. */
    public static final Duration MAX_DURATION = Duration.ofDays(365);

    /** The largest table: about 60 bytes an address when full, so 1 GiB at the most. */
    public static final int MAX_TRACKED = 1 << 24;

    public ThrottleSettings {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(coolDown, "coolDown");
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be at least 1, got " + maxFailures);
        }
        for (Duration duration : new Duration[] {window, coolDown}) {
            if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("window and coolDown must be greater than zero and at most "
                        + MAX_DURATION.toDays() + " days, got " + duration);
            }
        }
        if (maxTracked < 1 || maxTracked > MAX_TRACKED) {
            throw new IllegalArgumentException("maxTracked must be 1-" + MAX_TRACKED + ", got " + maxTracked);
        }
    }
}
