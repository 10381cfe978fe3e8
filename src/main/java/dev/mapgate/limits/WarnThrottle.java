package dev.mapgate.limits;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Lets one log line per reason through per interval, and counts the ones held back so that the
 * next line can say how many it stands for. An origin that goes down fails every request at once;
 * a line per request would bury the reason, and the log, under thousands of copies.
 *
 * <p>Reasons are a small fixed set chosen by the caller, never anything a client sends, so the
 * table stays small. Safe to call from any event loop.
 */
public final class WarnThrottle {

    private static final class Slot {
        boolean loggedOnce;
        long lastLoggedNanos;
        long heldBack;
    }

    private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final long intervalNanos;

    /** @param nanoClock a monotonic clock in nanoseconds, such as {@code System::nanoTime} */
    public WarnThrottle(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * @return -1 when this occurrence is held back; otherwise it is to be logged, and the result is
     *         how many occurrences of {@code reason} were held back since the last one logged
     */
    public long admit(String reason) {
        Slot slot = slots.computeIfAbsent(reason, r -> new Slot());
        synchronized (slot) {
            long now = nanoClock.getAsLong();
            if (slot.loggedOnce && now - slot.lastLoggedNanos < intervalNanos) {
                slot.heldBack++;
                return -1;
            }
            long heldBack = slot.heldBack;
            slot.heldBack = 0;
            slot.loggedOnce = true;
            slot.lastLoggedNanos = now;
            return heldBack;
        }
    }
}
