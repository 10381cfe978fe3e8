package dev.mapgate.watch;

import java.util.concurrent.Future;

/** One check scheduled on a {@link FileWatcher}; closing it stops that check, and the watcher runs on. */
public final class Watch implements AutoCloseable {

    private final Future<?> scheduled;

    Watch(Future<?> scheduled) {
        this.scheduled = scheduled;
    }

    /** Closes {@code watch} unless it is {@code null}. */
    public static void stop(Watch watch) {
        if (watch != null) {
            watch.close();
        }
    }

    /** A check under way is allowed to finish. */
    @Override
    public void close() {
        scheduled.cancel(false);
    }
}
