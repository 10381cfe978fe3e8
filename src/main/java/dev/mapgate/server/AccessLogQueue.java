package dev.mapgate.server;

import dev.mapgate.limits.WarnThrottle;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries access log lines from the event loops to one writer thread, so that no event loop ever
 * waits on the log: not on Logback's appender lock, not on a slow stdout (a full pipe to a
 * container runtime, a terminal being scrolled). Under load, a synchronous line per request made
 * the event loops park on that lock over a thousand times in 8 seconds, for up to 17 ms each,
 * and every connection on a parked loop waited with it.
 *
 * <p>The queue is bounded and lock-free for the event loops. When it is full, the line is dropped
 * and counted, never waited for: a log that falls behind must not slow the traffic it describes.
 * The writer reports drops itself, at most one WARN per ten seconds, and the count is exported as
 * {@code mapgate_access_log_dropped_total}.
 *
 * <p>When the queue is empty the writer sleeps for a few milliseconds rather than being woken by
 * each offer: a wake-up per line would cost the event loop a system call per request.
 */
final class AccessLogQueue {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogQueue.class);

    /** How long the writer sleeps once it has caught up; lines wait at most about this long. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Queue<AccessLine> queue;
    private final Consumer<AccessLine> writer;
    private final Runnable caughtUp;
    private final LongAdder offered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final WarnThrottle warnings;
    private final Thread thread;
    /** Lines taken off the queue and written; only the writer thread sets it. */
    private volatile long written;
    /** Of those, the lines the appenders were told to send ({@code caughtUp}); writer thread only sets it. */
    private volatile long sent;
    private volatile boolean closed;
    /** Drops counted in the last WARN; writer thread only. */
    private long droppedReported;

    /**
     * @param capacity lines that may wait; one more is dropped
     * @param writer   writes one line; runs on the writer thread only
     * @param caughtUp runs on the writer thread when the queue is empty after lines were written,
     *                 so that a batching appender sends them ({@link BatchedStdoutAppender})
     */
    AccessLogQueue(int capacity, Consumer<AccessLine> writer, Runnable caughtUp, Duration warnInterval) {
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
        this.writer = writer;
        this.caughtUp = caughtUp;
        this.warnings = new WarnThrottle(warnInterval, System::nanoTime);
        this.thread = new Thread(this::run, "mapgate-access-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** Called on an event loop: never blocks. @return false when the line was dropped */
    boolean offer(AccessLine line) {
        if (queue.offer(line)) {
            offered.increment();
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Lines dropped since the start because the queue was full. */
    long dropped() {
        return dropped.sum();
    }

    /**
     * Waits until every line offered before this call is written and sent, or the timeout
     * passes: at shutdown, so that the last requests are in the log.
     *
     * @return whether everything was written in time
     */
    boolean flush(Duration timeout) {
        long target = offered.sum();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sent < target) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.unpark(thread);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    /** Writes what is queued, then ends the writer thread; the process's own queue is never closed. */
    void close() {
        closed = true;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (true) {
            AccessLine line = queue.poll();
            if (line == null) {
                long done = written;
                if (sent != done) {
                    sendBatch();
                    sent = done;
                }
                reportDrops();
                if (closed) {
                    return;
                }
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                continue;
            }
            try {
                writer.accept(line);
            } catch (RuntimeException | Error e) {
                // One line that cannot be written must not end the log; Logback reports its own
                // appender failures through its status listener.
                LOG.debug("event=access-log-write-failed", e);
            }
            written++;
        }
    }

    private void sendBatch() {
        try {
            caughtUp.run();
        } catch (RuntimeException | Error e) {
            LOG.debug("event=access-log-flush-failed", e);
        }
    }

    private void reportDrops() {
        long total = dropped.sum();
        if (total > droppedReported && warnings.admit("dropped") >= 0) {
            LOG.warn("event=access-log-dropped lines={} total={} effect=\"the log could not keep up with the"
                    + " requests; those lines are lost, the requests were served\"", total - droppedReported, total);
            droppedReported = total;
        }
    }
}
