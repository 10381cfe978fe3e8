package dev.mapgate.tls;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.watch.FileWatcher;
import dev.mapgate.watch.SourceFingerprint;
import dev.mapgate.watch.Watch;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's TLS: an {@code SslContext} built from the PEM files of {@code listen.tls}, and
 * rebuilt when they change, so that a rotated certificate (cert-manager, certbot) is served
 * without a restart. Connections already open keep the context they started with.
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final String SETTINGS_PATH = "mapgate.listen.tls.";

    private final ListenTlsSettings settings;
    private final SslProvider provider;
    /**
     * Read by every new connection on the event loops, replaced by reloads. A context swapped
     * out is never released by hand: connections still handshaking with it hold it, and the
     * OPENSSL (not OPENSSL_REFCNT) provider frees it once the last of them is gone.
     */
    private volatile Loaded current;
    /** The fingerprint (or read error) of the last pair that failed, so that it is logged once. */
    private Object lastFailure;
    /** The scheduled check while watching, else {@code null}. */
    private final AtomicReference<Watch> watch = new AtomicReference<>();
    /** Where reloads are counted; none until the server hands its meters over. */
    private volatile Metrics metrics;

    private ServerTls(ListenTlsSettings settings, SslProvider provider, Loaded current) {
        this.settings = settings;
        this.provider = provider;
        this.current = current;
    }

    /**
     * Builds the context and checks that the key belongs to the certificate.
     *
     * <p>Logs nothing: the server's own is announced by {@link #startWatching(FileWatcher)}.
     *
     * @throws TlsFileProblem naming the key under {@code listen.tls} and what is wrong with it
     */
    public static ServerTls load(ListenTlsSettings settings) {
        SslProvider provider = TlsProviderChoice.choose(settings.provider(), OpenSsl.isAvailable(),
                OpenSsl.unavailabilityCause());
        return new ServerTls(settings, provider, Loaded.from(TlsFiles.read(settings), provider));
    }

    /**
     * Reads and parses the files as {@link #load} does, and checks that the key belongs to the
     * certificate, without building a context: what the config loader needs to name a bad file.
     *
     * @throws TlsFileProblem naming the key under {@code listen.tls} and what is wrong with it
     */
    public static void check(ListenTlsSettings settings) {
        TlsProviderChoice.choose(settings.provider(), OpenSsl.isAvailable(), OpenSsl.unavailabilityCause());
        TlsFiles.read(settings).parse();
    }

    /** A handler for a new connection, with the context current now. */
    public SslHandler newHandler(ByteBufAllocator alloc, long handshakeTimeoutMillis) {
        SslHandler handler = current.context().newHandler(alloc);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    /**
     * Re-reads the files if they changed since the last load; swaps in the new context only when
     * the pair loads and matches. Never throws.
     *
     * <p>Synchronized because the watcher and a caller (a test, an admin action) may both check.
     *
     * @return whether a new context was swapped in
     */
    public synchronized boolean reloadIfChanged() {
        TlsFiles files;
        try {
            files = TlsFiles.read(settings);
        } catch (RuntimeException e) {
            failed(String.valueOf(e.getMessage()), e);
            return false;
        }
        if (files.fingerprint().equals(current.fingerprint())) {
            // Back to what is served (e.g. a bad rotation undone): a repeat of that bad pair is news again.
            lastFailure = null;
            return false;
        }
        if (files.fingerprint().equals(lastFailure)) {
            // The same bytes fail the same way; only a change to either file is worth a new try.
            return false;
        }
        try {
            Loaded next = Loaded.from(files, provider);
            current = next;
            lastFailure = null;
            count("ok");
            LOG.info("event=tls-reloaded {}", next.describe(provider));
            warnIfOutsideValidity(next.leaf());
            return true;
        } catch (RuntimeException e) {
            failed(files.fingerprint(), e);
            return false;
        }
    }

    /**
     * Announces the context being served and has {@code watcher} check the files every
     * {@code reload-interval}. Does nothing when already watching.
     */
    public synchronized void startWatching(FileWatcher watcher) {
        if (watch.get() != null) {
            return;
        }
        Loaded served = current;
        LOG.info("event=tls-loaded {}", served.describe(provider));
        warnIfOutsideValidity(served.leaf());
        watch.set(watcher.every(settings.reloadInterval(), "tls-reload-error", this::reloadIfChanged));
    }

    /** Counts reloads, once per new pair that loads and once per distinct pair that fails, in {@code metrics}. */
    public void countReloadsIn(Metrics metrics) {
        this.metrics = metrics;
    }

    private void count(String result) {
        Metrics m = metrics;
        if (m != null) {
            m.reload("tls", result);
        }
    }

    /** "BoringSSL" or "JDK", for the startup line. */
    public String implementation() {
        return ServerContexts.implementation(provider);
    }

    /** Stops watching the files; a check under way is allowed to finish. */
    @Override
    public void close() {
        // Not under the lock: a check under way needs it to finish.
        Watch.stop(watch.getAndSet(null));
    }

    /** What {@link #newHandler} hands out now; for tests. */
    X509Certificate servedCertificate() {
        return current.leaf();
    }

    /** Logs a failed reload once per distinct content; the old context stays. */
    private void failed(Object fingerprint, RuntimeException e) {
        if (fingerprint.equals(lastFailure)) {
            return;
        }
        lastFailure = fingerprint;
        count("failed");
        String key = e instanceof TlsFileProblem problem ? problem.key() : CertificateChainPem.KEY;
        String problem = e instanceof TlsFileProblem ? e.getMessage() : e.toString();
        LOG.warn("event=tls-reload-failed key={}{} problem=\"{}\" serving_serial={} serving_not_after={}",
                SETTINGS_PATH, key, problem.replace('"', '\''), current.leaf().getSerialNumber().toString(16),
                current.leaf().getNotAfter().toInstant());
    }

    /**
     * An expired certificate is served anyway, with a warning: refusing to start, or to take the
     * only certificate there is, would take the site down for every client, not just for the
     * ones that check dates.
     */
    private static void warnIfOutsideValidity(X509Certificate leaf) {
        Instant now = Instant.now();
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            LOG.warn("event=tls-certificate-expired subject=\"{}\" not_after={}", CertifiedKey.subject(leaf),
                    leaf.getNotAfter().toInstant());
        } else if (now.isBefore(leaf.getNotBefore().toInstant())) {
            LOG.warn("event=tls-certificate-not-yet-valid subject=\"{}\" not_before={}", CertifiedKey.subject(leaf),
                    leaf.getNotBefore().toInstant());
        }
    }

    /** A context and what it was built from. */
    private record Loaded(SslContext context, X509Certificate leaf, SourceFingerprint fingerprint) {

        static Loaded from(TlsFiles files, SslProvider provider) {
            CertifiedKey pair = files.parse();
            return new Loaded(ServerContexts.build(provider, pair), pair.leaf(), files.fingerprint());
        }

        /** Names the certificate, never the key. */
        String describe(SslProvider provider) {
            return "implementation=" + ServerContexts.implementation(provider)
                    + " subject=\"" + CertifiedKey.subject(leaf) + "\""
                    + " serial=" + leaf.getSerialNumber().toString(16)
                    + " not_after=" + leaf.getNotAfter().toInstant();
        }
    }
}
