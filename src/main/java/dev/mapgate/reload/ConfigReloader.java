package dev.mapgate.reload;

import dev.mapgate.config.ConfigProblem;
import dev.mapgate.config.LiveSettings;
import dev.mapgate.config.RevokedToken;
import dev.mapgate.config.Settings;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.watch.FileWatcher;
import dev.mapgate.watch.SourceFingerprint;
import dev.mapgate.watch.Watch;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link LiveSettings} in step with the files it was read from. Every
 * {@code reload.check-interval} it compares the files' contents with what was last loaded; on a
 * change, or on {@link #reloadNow} (SIGHUP), it loads the whole config again. A config that loads
 * replaces the live snapshot in one write (keeping what needs a restart, see {@link RestartOnly});
 * one that fails leaves the running config untouched.
 *
 * <p>A token whose file is deleted or emptied is revoked by such a reload like any other change;
 * this class says so once, when it happens (and at startup for a token that starts revoked), with
 * a WARN line naming the token, its site and its file, and counts it.
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
    /** The scheduled check while watching, else {@code null}. */
    private final AtomicReference<Watch> watch = new AtomicReference<>();

    /** @param loader reads and validates a whole config, throwing {@link ConfigProblem} (e.g. SettingsLoader::load) */
    public ConfigReloader(Path configFile, LiveSettings live, Function<Path, Settings> loader, Metrics metrics) {
        this.configFile = configFile;
        this.live = live;
        this.loader = loader;
        this.metrics = metrics;
        // What is in force now was read at startup; a change made since then is caught on the first check.
        this.loaded = SourceFingerprint.of(live.get().sources());
        report(TokenRevocations.atStartup(live.get().gate()));
    }

    /** Has {@code watcher} check every {@code reload.check-interval}. Does nothing when already watching. */
    public synchronized void startWatching(FileWatcher watcher) {
        if (watch.get() == null) {
            watch.set(watcher.every(live.startup().reloadInterval(), "config-reload-error", this::reloadIfChanged));
        }
    }

    /** Reloads if any watched file changed since the last attempt. */
    public synchronized Outcome reloadIfChanged() {
        SourceFingerprint now = SourceFingerprint.of(live.get().sources());
        List<Path> changed = now.changedSince(loaded);
        if (changed.isEmpty()) {
            return Outcome.UNCHANGED;
        }
        return reload("file-changed " + changed, now);
    }

    /**
     * Loads the config again whether or not the watched files changed (a file pulled in with
     * {@code include} is not watched, and an operator who sends SIGHUP expects it to be read).
     */
    public synchronized Outcome reloadNow(String trigger) {
        return reload(trigger, SourceFingerprint.of(live.get().sources()));
    }

    /** @param before the watched files as read before loading */
    private Outcome reload(String trigger, SourceFingerprint before) {
        Settings running = live.get();
        Settings next;
        try {
            next = loader.apply(configFile);
        } catch (ConfigProblem problem) {
            // Remember what failed, so the same broken bytes are not retried (and logged) every few
            // seconds; the digests from before loading, for the reason given below.
            loaded = before;
            metrics.reload("config", "failed");
            LOG.error("event=config-reload-failed trigger=\"{}\" file={} problem=\"{}\" action=\"kept the running config\"",
                    trigger, configFile, problem.getMessage());
            return Outcome.FAILED;
        }
        // Digests from before loading wherever there is one: a file rewritten in place while the
        // loader read it (truncated, then written) may have been read empty; remembered as read
        // afterwards, its new bytes would look loaded and the token would stay revoked until the
        // next edit. Only a file this config names for the first time is read after loading.
        loaded = SourceFingerprint.of(next.sources()).preferring(before);
        List<String> needRestart = RestartOnly.changedKeys(running, next);
        live.replace(next.reloadable());
        Settings applied = live.get();
        metrics.reload("config", "ok");
        LOG.info("event=config-reloaded trigger=\"{}\" file={}", trigger, configFile);
        report(TokenRevocations.between(running.gate(), applied.gate()));
        if (!needRestart.isEmpty()) {
            LOG.warn("event=config-restart-needed keys={} action=\"kept the running values; restart to apply them\"",
                    String.join(",", needRestart));
        }
        next.warnings().forEach(w -> LOG.warn("event=config-warning problem=\"{}\"", w));
        return Outcome.APPLIED;
    }

    /**
     * Names and files only: a revoked token's value is gone, and a restored one's is never logged.
     * The site is named as the access log names the site of a request, "-" for the gate's own
     * settings, so that the two can be matched.
     */
    private void report(TokenRevocations changes) {
        for (RevokedToken token : changes.revoked()) {
            metrics.tokenRevoked();
            LOG.warn("event=token-revoked token={} file={} cause={} site={} key={}.file effect=\"requests carrying it"
                    + " are denied; the other credentials are unaffected\"", token.name(), token.file(),
                    token.cause().logName(), site(token), token.key());
        }
        for (RevokedToken token : changes.restored()) {
            LOG.info("event=token-restored token={} file={} site={}", token.name(), token.file(), site(token));
        }
    }

    private static String site(RevokedToken token) {
        return token.site() == null ? "-" : token.site();
    }

    @Override
    public void close() {
        // Not under the lock: a check under way needs it to finish.
        Watch.stop(watch.getAndSet(null));
    }
}
