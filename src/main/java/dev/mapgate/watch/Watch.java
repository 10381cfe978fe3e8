package dev.mapgate.watch;

import java.util.concurrent.Future;

/** One check scheduled on a {@link FileWatcher}; closing it stops the check, and a watcher started for it alone. */
public final class Watch implements AutoCloseable {

    private final Future<?> scheduled;
    private final FileWatcher own;

    Watch(Future<?> scheduled, FileWatcher own) {
        this.scheduled = scheduled;
        this.own = own;
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
        if (own != null) {
            own.close();
        }
    }
}
