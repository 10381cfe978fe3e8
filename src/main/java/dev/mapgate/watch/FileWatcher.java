package dev.mapgate.watch;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that runs the checks of watched files, each at its own interval: the config
 * and the files it names, and the listener's TLS pair. Each check compares a
 * {@link SourceFingerprint} with what it last loaded and reloads on a change. A slow disk holds up
 * only the checks, never a request. A reload can still come from elsewhere at the same time (a
 * SIGHUP, on the signal's thread): the reloaders are synchronized for that, not this thread.
 */
public final class FileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);

    private final ScheduledExecutorService thread;

    /** @param threadName the name the thread shows in a thread dump */
    public FileWatcher(String threadName) {
        thread = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code check} every {@code interval}, first after one interval.
     *
     * @param errorEvent the log event for a check that throws, e.g. {@code tls-reload-error}
     * @return stops this check alone
     */
    public Watch every(Duration interval, String errorEvent, Runnable check) {
        long millis = interval.toMillis();
        // Fixed delay, not rate: a slow disk never queues checks up behind each other.
        return new Watch(thread.scheduleWithFixedDelay(() -> runQuietly(errorEvent, check), millis, millis,
                TimeUnit.MILLISECONDS));
    }

    /**
     * A scheduled task that throws is never run again, silently: an Error (out of memory while
     * reading, a broken provider) must not end reloading for the life of the process.
     */
    private static void runQuietly(String errorEvent, Runnable check) {
        try {
            check.run();
        } catch (Throwable t) {
            LOG.error("event={} cause=\"{}\"", errorEvent, String.valueOf(t).replace('"', '\''));
        }
    }

    /** Stops the thread; a check under way is allowed to finish. */
    @Override
    public void close() {
        // shutdown, not shutdownNow: an interrupt would break the file read of a check under way
        // and make it log a failure that is not one. A check that outlasts the wait is left to
        // finish on its own; the thread is a daemon, so it holds up no exit.
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
