package dev.mapgate.limits;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A fixed number of connection slots that a new connection can always claim unless every slot is
 * busy answering: when all are taken, the connection that has waited longest for a request head
 * gives way. That is the admin listener's cap ({@code admin.max-connections}): a flood of
 * connections that send nothing, or their heads a byte at a time, cannot keep the kubelet's probe
 * out, because each newcomer (the probe among them) pushes out the oldest of the flood, and the
 * probe sends its whole head before enough newer connections arrive to push it out in turn.
 *
 * <p>Who gives way, in order:
 * <ol>
 *   <li>a connection part-way through a request head, or silent since it connected: what a slow
 *       sender looks like, and nothing a probe or scraper does for more than a round trip;</li>
 *   <li>a kept-alive connection waiting for its next request: a scraper between scrapes, which
 *       loses only a connection it reopens for the next scrape;</li>
 *   <li>never a connection whose request is being answered. When every slot holds one, the
 *       newcomer is refused: those slots free up as soon as their answers are written.</li>
 * </ol>
 * Within each group the one that entered it first goes first.
 *
 * <p>Plain Java with no clock and no channel: the owner reports what happens on each connection.
 * Not thread-safe; the admin listener uses it from its one event loop.
 *
 * @param <C> what identifies a connection (a channel; a string in tests)
 */
public final class ConnectionSlots<C> {

    /** What became of a connection that asked for a slot. */
    public record Admission<C>(boolean admitted, C evicted) {

        static <C> Admission<C> in() {
            return new Admission<>(true, null);
        }

        static <C> Admission<C> inPlaceOf(C evicted) {
            return new Admission<>(true, evicted);
        }

        static <C> Admission<C> refused() {
            return new Admission<>(false, null);
        }
    }

    private final int max;
    /** Part-way through a head, or silent since connecting; oldest first. */
    private final Set<C> sending = new LinkedHashSet<>();
    /** Kept alive, no byte of the next request yet; oldest first. */
    private final Set<C> idle = new LinkedHashSet<>();
    /** A head has arrived and is being answered. */
    private final Set<C> answering = new HashSet<>();

    public ConnectionSlots(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1: " + max);
        }
        this.max = max;
    }

    /**
     * A new connection asks for a slot. If it gets one it counts as waiting for its first head.
     * When the admission names an evicted connection, that one has lost its slot and is the
     * caller's to close.
     */
    public Admission<C> admit(C connection) {
        if (open() < max) {
            sending.add(connection);
            return Admission.in();
        }
        C evicted = oldest(sending);
        if (evicted == null) {
            evicted = oldest(idle);
        }
        if (evicted == null) {
            return Admission.refused();
        }
        sending.add(connection);
        return Admission.inPlaceOf(evicted);
    }

    /** Bytes of a request arrived on a connection that was idle between requests. */
    public void requestStarted(C connection) {
        if (idle.remove(connection)) {
            sending.add(connection);
        }
    }

    /** A complete request head arrived: the connection is busy until {@link #answered}. */
    public void headArrived(C connection) {
        if (sending.remove(connection) || idle.remove(connection)) {
            answering.add(connection);
        }
    }

    /** The last answer owed on the connection was written; it stays open for another request. */
    public void answered(C connection) {
        if (answering.remove(connection)) {
            idle.add(connection);
        }
    }

    /** The connection closed (whatever the reason, an eviction included); its slot is free. */
    public void closed(C connection) {
        if (!sending.remove(connection) && !idle.remove(connection)) {
            answering.remove(connection);
        }
    }

    public int open() {
        return sending.size() + idle.size() + answering.size();
    }

    public int max() {
        return max;
    }

    /** Removes and returns the first of {@code group}, or {@code null} when it is empty. */
    private static <C> C oldest(Set<C> group) {
        Iterator<C> first = group.iterator();
        if (!first.hasNext()) {
            return null;
        }
        C oldest = first.next();
        first.remove();
        return oldest;
    }
}
