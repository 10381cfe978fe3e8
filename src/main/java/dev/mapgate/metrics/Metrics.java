package dev.mapgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Owns every meter name and tag mapgate publishes, so that dashboards and alerts have one place
 * to look. Handlers get this object and call what happened; they never see the registry.
 *
 * <p>Names are Micrometer's dotted form; Prometheus shows {@code mapgate.requests} as
 * {@code mapgate_requests_total}. Tag values are bounded sets (routes, outcomes, reasons, kinds)
 * plus the configured credential and site names, never a value a client chooses.
 */
public final class Metrics {

    /** Tag value where a tag does not apply (e.g. the reason of an allowed request). */
    public static final String NONE = "none";

    private final PrometheusMeterRegistry registry;
    /**
     * mapgate.requests by site, then route, outcome, reason and credential: one lookup per label
     * and no key built per request (a joined String key was a fifth of a request's garbage).
     */
    private final ConcurrentMap<String, SiteRequests> requests = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> originErrors = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> reloads = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> passwordChecks = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> credentialDrift = new ConcurrentHashMap<>();
    private final Counter clientAddressUnknown;
    private final Counter proxyHeaderRefused;
    private final Counter throttleStarted;
    private final Counter tokenRevocations;
    private final Counter adminClosedOldest;
    private final Counter adminRefusedNew;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Timer originResponseTime;
    private final Counter originRetries;
    private final Timer passwordCheckTime;
    private final AtomicInteger clientConnections = new AtomicInteger();
    private final AtomicInteger originConnections = new AtomicInteger();
    private LongSupplier accessLogDropped;

    public Metrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        // Registered at once for the gate's own settings, so that a scrape shows it at 0.
        credentialDrift(NONE, false);
        this.clientAddressUnknown = Counter.builder("mapgate.client.address.unknown")
                .description("Requests whose client address a trusted proxy reported in a form that could not be read")
                .register(registry);
        this.proxyHeaderRefused = Counter.builder("mapgate.proxy.protocol.refused")
                .description("Connections closed for a PROXY header from an untrusted peer, or a bad or missing one"
                        + " from a trusted peer")
                .register(registry);
        this.throttleStarted = Counter.builder("mapgate.gate.throttle.started")
                .description("Client addresses that failed gate.throttle.max-failures credentials within the window"
                        + " and began a cool-down")
                .register(registry);
        // No tag for the token's name: the WARN line names it, and an untagged counter exists from
        // startup at 0, so increase() sees the first revocation instead of a series appearing at 1.
        this.tokenRevocations = Counter.builder("mapgate.token.revocations")
                .description("Tokens revoked by deleting or emptying their file: one per event=token-revoked log line,"
                        + " on the reload that revoked it or at startup")
                .register(registry);
        this.adminClosedOldest = adminOverLimit("oldest-waiting");
        this.adminRefusedNew = adminOverLimit("new");
        this.bytesIn = Counter.builder("mapgate.client.bytes").tag("direction", "in").baseUnit("bytes")
                .description("Request body bytes received from clients").register(registry);
        this.bytesOut = Counter.builder("mapgate.client.bytes").tag("direction", "out").baseUnit("bytes")
                .description("Response body bytes sent to clients").register(registry);
        this.originResponseTime = Timer.builder("mapgate.origin.response.time")
                .description("From the request sent to the origin to its response headers")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        this.passwordCheckTime = Timer.builder("mapgate.gate.password.check")
                .description("How long a bcrypt check of a Basic password ran on its thread, queueing not included")
                .register(registry);
        Gauge.builder("mapgate.client.connections", clientConnections, AtomicInteger::get)
                .description("Client connections open now").register(registry);
        this.originRetries = Counter.builder("mapgate.origin.retries")
                .description("GET and HEAD requests sent again on a new origin connection, after a reused one"
                        + " closed before answering")
                .register(registry);
        Gauge.builder("mapgate.origin.connections", originConnections, AtomicInteger::get)
                .description("Connections to the origin open now, pooled or in use").register(registry);
        // Created up front so that a dashboard shows 0 rather than no data.
        for (String what : new String[] {"config", "tls"}) {
            reloadCounter(what, "ok");
            reloadCounter(what, "failed");
        }
        for (String result : new String[] {"checked", "shared", "busy"}) {
            passwordCheckCounter(result);
        }
        for (String kind : new String[] {"connect", "timeout", "reset", "tls", "protocol", "pool-full"}) {
            originErrorCounter(kind);
        }
    }

    /** Meters kept in this process only; for tests. */
    public static Metrics inMemory() {
        return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Adds the JVM's and Netty's memory, GC, threads and CPU; once per process. */
    public Metrics withJvmAndNetty(ByteBufAllocator allocator) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (allocator instanceof ByteBufAllocatorMetricProvider provider) {
            // Not Micrometer's NettyAllocatorMetrics: its gauges hold the allocator's metric object
            // weakly, and Netty 4.2's adaptive allocator hands out a fresh one that nothing else
            // keeps, so the gauges vanished from the scrape after the first garbage collection.
            ByteBufAllocatorMetric metric = provider.metric();
            String type = allocator.getClass().getSimpleName();
            allocatorGauge(metric, type, "heap", ByteBufAllocatorMetric::usedHeapMemory);
            allocatorGauge(metric, type, "direct", ByteBufAllocatorMetric::usedDirectMemory);
        }
        return this;
    }

    private void allocatorGauge(ByteBufAllocatorMetric metric, String allocatorType, String memoryType,
                                ToDoubleFunction<ByteBufAllocatorMetric> used) {
        Gauge.builder("netty.allocator.memory.used", metric, used)
                .strongReference(true)
                .baseUnit("bytes")
                .description("Memory held by Netty's buffer allocator")
                .tag("allocator.type", allocatorType)
                .tag("memory.type", memoryType)
                .register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * One finished request.
     *
     * @param route      "gated", "pass", or {@link #NONE} when it was refused before routing
     * @param outcome    "allowed" or "denied"
     * @param reason     why it was denied ({@code ip}, {@code bad-request}, ...), or {@link #NONE}
     * @param credential the configured name of the token or user that matched, or {@link #NONE}
     * @param site       the site that judged it, or {@link #NONE} for the gate's own settings
     */
    public void request(String route, String outcome, String reason, String credential, String site) {
        SiteRequests bySite = requests.get(site);
        if (bySite == null) {
            bySite = requests.computeIfAbsent(site, SiteRequests::new);
        }
        bySite.increment(route, outcome, reason, credential);
    }

    /** As {@link #request(String, String, String, String, String)}, outside every site. */
    public void request(String route, String outcome, String reason, String credential) {
        request(route, outcome, reason, credential, NONE);
    }

    /** A gated request from Sentry's address without its site's current token; {@code site} may be {@link #NONE}. */
    public void credentialDrift(String site) {
        credentialDrift(site, true);
    }

    /** As {@link #credentialDrift(String)}, for the gate's own settings. */
    public void credentialDrift() {
        credentialDrift(NONE);
    }

    private void credentialDrift(String site, boolean increment) {
        Counter counter = credentialDrift.get(site);
        if (counter == null) {
            counter = credentialDrift.computeIfAbsent(site, s -> Counter.builder("mapgate.gate.credential.drift")
                    .description("Gated requests from an allowed address with a missing or wrong credential:"
                            + " usually Sentry with an outdated token, by site")
                    .tag("site", s)
                    .register(registry));
        }
        if (increment) {
            counter.increment();
        }
    }

    public void clientAddressUnknown() {
        clientAddressUnknown.increment();
    }

    public void proxyHeaderRefused() {
        proxyHeaderRefused.increment();
    }

    /**
     * A Basic password that needed bcrypt, by what became of it.
     *
     * @param result {@code checked} (handed to a bcrypt thread), {@code shared} (waited for the
     *               same credential's check from the same address) or {@code busy} (refused with
     *               429: its address already had a check in flight)
     */
    public void passwordCheck(String result) {
        passwordCheckCounter(result).increment();
    }

    /** One bcrypt check's run on a verifier thread; what a login waits per check queued ahead of it. */
    public void passwordCheckTime(long nanos) {
        passwordCheckTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Counter passwordCheckCounter(String result) {
        return passwordChecks.computeIfAbsent(result, r -> Counter.builder("mapgate.gate.password.checks")
                .description("Basic passwords that needed a bcrypt run: checked, shared with the same"
                        + " credential's check, or refused because the address had one in flight")
                .tag("result", r)
                .register(registry));
    }

    /** An address failed too many credentials and is now refused on gated paths for a while. */
    public void throttleStarted() {
        throttleStarted.increment();
    }

    /**
     * Publishes how many addresses the failure throttle tracks now; once per server.
     *
     * @param tracked counts the table's live entries; read at each scrape
     */
    public void throttleTable(IntSupplier tracked) {
        countNow("mapgate.gate.throttle.tracked", "Client addresses the failure throttle is counting or cooling down"
                + " now; at most gate.throttle.max-tracked", tracked);
    }

    /** A token's file was found deleted or empty, at startup or on a reload that changed that. */
    public void tokenRevoked() {
        tokenRevocations.increment();
    }

    /**
     * Publishes how many configured tokens are revoked now; once per server.
     *
     * @param revoked counts the revoked tokens of the config in force; read at each scrape
     */
    public void revokedTokens(IntSupplier revoked) {
        countNow("mapgate.tokens.revoked", "Configured tokens whose file is deleted or empty now, so that they are"
                + " refused; 0 when every token is in force", revoked);
    }

    /** Access log lines lost because the log's writer could not keep up; the requests were served. */
    public void accessLogDropped(LongSupplier dropped) {
        // A function counter keeps its object weakly; this field holds it.
        this.accessLogDropped = dropped;
        FunctionCounter.builder("mapgate.access.log.dropped", dropped, LongSupplier::getAsLong)
                .description("Access log lines dropped because the log could not keep up with the requests;"
                        + " the requests themselves were served")
                .register(registry);
    }

    private void countNow(String name, String description, IntSupplier count) {
        // Held strongly: a gauge keeps its object weakly, and nothing else would keep the lambda.
        Gauge.builder(name, count, IntSupplier::getAsInt)
                .description(description)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Publishes how many admin connections are open now; once per admin listener.
     *
     * @param open counts them; read at each scrape
     */
    public void adminConnections(IntSupplier open) {
        Gauge.builder("mapgate.admin.connections", open, IntSupplier::getAsInt)
                .description("Connections to the admin listener open now; at most admin.max-connections")
                .strongReference(true)
                .register(registry);
    }

    /** admin.max-connections were open: the one that had waited longest for a request head was closed. */
    public void adminClosedOldest() {
        adminClosedOldest.increment();
    }

    /** admin.max-connections were open, each being answered: the new connection was closed. */
    public void adminRefusedNew() {
        adminRefusedNew.increment();
    }

    public void bytesIn(long bytes) {
        bytesIn.increment(bytes);
    }

    public void bytesOut(long bytes) {
        bytesOut.increment(bytes);
    }

    public void originResponseTime(long nanos) {
        originResponseTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void originRetry() {
        originRetries.increment();
    }

    /** Counts a failed origin exchange; @param kind connect, timeout, reset, tls, protocol or pool-full */
    public void originError(String kind) {
        originErrorCounter(kind).increment();
    }

    /** Counts a reload; @param what config or tls; @param result ok or failed */
    public void reload(String what, String result) {
        reloadCounter(what, result).increment();
    }

    public void clientConnectionOpened() {
        clientConnections.incrementAndGet();
    }

    public void clientConnectionClosed() {
        clientConnections.decrementAndGet();
    }

    public void originConnectionOpened() {
        originConnections.incrementAndGet();
    }

    public void originConnectionClosed() {
        originConnections.decrementAndGet();
    }

    private Counter adminOverLimit(String closed) {
        return Counter.builder("mapgate.admin.connections.over.limit")
                .description("Admin connections accepted while admin.max-connections were open, by which connection"
                        + " was closed to keep the limit: the one that had waited longest for a request head, or the"
                        + " new one")
                .tag("closed", closed).register(registry);
    }

    private Counter originErrorCounter(String kind) {
        return originErrors.computeIfAbsent(kind, k -> Counter.builder("mapgate.origin.errors")
                .description("Failed origin exchanges, by kind").tag("kind", k).register(registry));
    }

    private Counter reloadCounter(String what, String result) {
        return reloads.computeIfAbsent(what + '|' + result, k -> Counter.builder("mapgate.reloads")
                .description("Reloads of the config or the TLS files, by result")
                .tag("what", what).tag("result", result).register(registry));
    }

    /** The request counters of one site, by route, outcome, reason and credential. */
    private final class SiteRequests {
        private final String site;
        private final ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, Counter>>>>
                counters = new ConcurrentHashMap<>();

        SiteRequests(String site) {
            this.site = site;
        }

        void increment(String route, String outcome, String reason, String credential) {
            // Non-capturing functions, and computeIfAbsent returns a present value without locking:
            // nothing is allocated once a combination has been seen.
            ConcurrentMap<String, Counter> byCredential = counters
                    .computeIfAbsent(route, r -> new ConcurrentHashMap<>())
                    .computeIfAbsent(outcome, o -> new ConcurrentHashMap<>())
                    .computeIfAbsent(reason, r -> new ConcurrentHashMap<>());
            Counter counter = byCredential.get(credential);
            if (counter == null) {
                counter = byCredential.computeIfAbsent(credential, c -> Counter.builder("mapgate.requests")
                        .description("Requests answered, by route and outcome; denials by reason")
                        .tag("route", route).tag("outcome", outcome).tag("reason", reason).tag("credential", credential)
                        .tag("site", site)
                        .register(registry));
            }
            counter.increment();
        }
    }
}
