package dev.mapgate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSIX signals for a long-running service: TERM and INT stop it, HUP reloads its config.
 *
 * <p>Handling TERM ourselves (rather than in a JVM shutdown hook) is what lets the process exit
 * with status 0 after a clean drain; the JVM's own handler exits with 143, which systemd and
 * Kubernetes record as a failure. The handlers run on the JVM's signal thread, which must not
 * block, so each hands its work to a new thread.
 */
final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** @return whether the handler was installed (not every platform has every signal) */
    static boolean on(String name, Runnable action) {
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                Thread worker = new Thread(action, "mapgate-sig" + name.toLowerCase(java.util.Locale.ROOT));
                worker.setDaemon(false);
                worker.start();
            });
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                // The JVM keeps a signal that the parent ignored (nohup does so for HUP) ignored,
                // whatever handler is set: the signal will never arrive.
                LOG.warn("event=signal-ignored signal={} problem=\"mapgate was started with SIG{} ignored (by nohup?),"
                        + " so that signal does nothing\"", name, name);
                return false;
            }
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.debug("event=signal-not-handled signal={} cause=\"{}\"", name, e.getMessage());
            return false;
        }
    }
}
