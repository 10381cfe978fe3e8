package dev.mapgate.reload;

import dev.mapgate.config.ConfigProblem;
import dev.mapgate.config.LiveSettings;
import dev.mapgate.config.Settings;
import dev.mapgate.metrics.Metrics;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link LiveSettings} in step with the files it was read from. Every
 * {@code reload.check-interval} it compares the files' contents with what was last loaded; on a
 * change, or on {@link #reloadNow} (SIGHUP), it loads the whole config again. A config that loads
 * replaces the live snapshot in one write (keeping what needs a restart, see {@link RestartOnly});
 * one that fails leaves the running config untouched.
 */
public final class ConfigReloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    /** What one reload attempt did. */
    public enum Outcome {
        /** A new snapshot is in force. */
        APPLIED,
        /** The files hold what is already in force (checked on a signal only). */
        UNCHANGED,
        /** The files did not load; the running config stays. */
        FAILED
    }

    private final Path configFile;
    private final LiveSettings live;
    private final Function<Path, Settings> loader;
    private final Metrics metrics;
    private SourceFingerprint loaded;
    private ScheduledExecutorService watcher;

    /** @param loader reads and validates a whole config, throwing {@link ConfigProblem} (e.g. SettingsLoader::load) */
    public ConfigReloader(Path configFile, LiveSettings live, Function<Path, Settings> loader, Metrics metrics) {
        this.configFile = configFile;
        this.live = live;
        this.loader = loader;
        this.metrics = metrics;
        // What is in force now was read at startup; a change made since then is caught on the first check.
        this.loaded = SourceFingerprint.of(live.get().sources());
    }

    /** Starts checking every {@code reload.check-interval} on a daemon thread of its own. */
    public synchronized void startWatching() {
        if (watcher != null) {
            return;
        }
        long interval = live.get().reloadInterval().toMillis();
        watcher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "mapgate-config-reload");
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduleWithFixedDelay(this::checkQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Reloads if any watched file changed since the last attempt. */
    public synchronized Outcome reloadIfChanged() {
        SourceFingerprint now = SourceFingerprint.of(live.get().sources());
        List<Path> changed = now.changedSince(loaded);
        if (changed.isEmpty()) {
            return Outcome.UNCHANGED;
        }
        return reload("file-changed " + changed);
    }

    /**
     * Loads the config again whether or not the watched files changed (a file pulled in with
     * {@code include} is not watched, and an operator who sends SIGHUP expects it to be read).
     */
    public synchronized Outcome reloadNow(String trigger) {
        return reload(trigger);
    }

    private Outcome reload(String trigger) {
        Settings running = live.get();
        Settings next;
        try {
            next = loader.apply(configFile);
        } catch (ConfigProblem problem) {
            // Remember what failed, so the same broken bytes are not retried (and logged) every few seconds.
            loaded = SourceFingerprint.of(running.sources());
            metrics.reload("config", "failed");
            LOG.error("event=config-reload-failed trigger=\"{}\" file={} problem=\"{}\" action=\"kept the running config\"",
                    trigger, configFile, problem.getMessage());
            return Outcome.FAILED;
        }
        // Read after loading: a file edited while it was read shows up as changed on the next check.
        loaded = SourceFingerprint.of(next.sources());
        List<String> needRestart = RestartOnly.changedKeys(running, next);
        live.replace(RestartOnly.applicable(running, next));
        metrics.reload("config", "ok");
        LOG.info("event=config-reloaded trigger=\"{}\" file={}", trigger, configFile);
        if (!needRestart.isEmpty()) {
            LOG.warn("event=config-restart-needed keys={} action=\"kept the running values; restart to apply them\"",
                    String.join(",", needRestart));
        }
        next.warnings().forEach(w -> LOG.warn("event=config-warning problem=\"{}\"", w));
        return Outcome.APPLIED;
    }

    /** A scheduled task that throws is never run again; reloading must outlive any one failure. */
    private void checkQuietly() {
        try {
            reloadIfChanged();
        } catch (Throwable t) {
            LOG.error("event=config-reload-error cause=\"{}\"", String.valueOf(t).replace('"', '\''));
        }
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }
}
