package dev.mapgate.flow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Pull, one message at a time: a consumer asks for the next message, and messages that arrive
 * while nobody has asked wait in order. This is how mapgate keeps one request at a time on a
 * connection: the decoder may turn one socket read into several pipelined requests, but the
 * handlers behind it see the second only when they ask for it.
 *
 * <p>The rules, which {@link DemandHandler} applies to a channel:
 * <ul>
 *   <li>An ask is met by exactly one message, the oldest waiting one, or else by the next to
 *       arrive. Until then the demand stays <em>open</em>.</li>
 *   <li>Asks do not add up: asking again while a demand is open still yields one message. A
 *       handler that asks "just in case" can never make a second request slip through.</li>
 *   <li>Only a message meets a demand. Input that produced no message (half a request head, a TLS
 *       record that held no whole request) leaves it open, so more input must be read. Netty
 *       4.2.15's {@code FlowControlHandler} counted such a read as meeting the demand, and a request
 *       that arrived in several writes then waited until a timeout.</li>
 * </ul>
 *
 * <p>Not thread-safe: one per connection, used on that connection's event loop only.
 *
 * @param <T> the message type
 */
public final class Demand<T> {

    private final ArrayDeque<T> waiting = new ArrayDeque<>(4);
    /** Someone asked and no message has met the ask yet. Only ever true while nothing waits. */
    private boolean open;

    /**
     * The consumer asks for one message.
     *
     * @return the oldest waiting message, to hand on now; or {@code null} when none waits, and
     *         then the demand is open until a message arrives
     */
    public T ask() {
        T next = waiting.poll();
        open = next == null;
        return next;
    }

    /**
     * A message arrived from the input.
     *
     * @return {@code true} when it meets an open demand and is to be handed on now; {@code false}
     *         when it waits its turn (and is now this object's to hand on or to give back by {@link #clear()})
     */
    public boolean arrived(T message) {
        if (open) {
            open = false;
            return true;
        }
        waiting.add(message);
        return false;
    }

    /** Whether an ask is still unmet: then the input must be read further. */
    public boolean isOpen() {
        return open;
    }

    /** How many messages wait for an ask. */
    public int waiting() {
        return waiting.size();
    }

    /**
     * Gives back every waiting message, oldest first, and closes any open demand: for a
     * connection that ended, whose messages the caller must release.
     */
    public List<T> clear() {
        List<T> dropped = new ArrayList<>(waiting);
        waiting.clear();
        open = false;
        return dropped;
    }
}
