package dev.mapgate.admin;

import dev.mapgate.config.AdminSettings;
import dev.mapgate.flow.DemandHandler;
import dev.mapgate.limits.ClientWaits;
import dev.mapgate.limits.ConnectionSlots;
import dev.mapgate.limits.WarnThrottle;
import dev.mapgate.metrics.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin pipeline, top to bottom. Requests here are short GETs, so every limit is small.
 *
 * <p>Runs on the admin listener's one event loop, which accepts and serves every admin
 * connection: {@link ConnectionSlots} and the warning below need no locking for that reason.
 */
final class AdminChannelInitializer extends ChannelInitializer<Channel> {

    static final String REQUEST_BYTES = "request-bytes";
    static final String IDLE_TIMEOUT = "idle-timeout";
    static final String HTTP_CODEC = "http-codec";
    static final String WAITS = "admin-waits";
    static final String DEMAND = "demand";
    static final String BODY_REFUSAL = "body-refusal";
    static final String ENDPOINTS = "admin-endpoints";

    static final int MAX_INITIAL_LINE = 4 * 1024;
    static final int MAX_HEADER_SIZE = 8 * 1024;

    /**
     * While an answer is owed, nothing read or written for this long closes the connection: a
     * client that stopped taking its answer would otherwise hold a slot that is never given up
     * (see {@link ConnectionSlots}). Longer than {@link AdminServer#HEALTH_TIMEOUT}, during which
     * /healthz writes nothing.
     */
    static final Duration ANSWER_IDLE = Duration.ofSeconds(10);

    /** How often, at most, a full admin listener is logged; the meter counts every time. */
    private static final Duration FULL_WARNING_EVERY = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(AdminChannelInitializer.class);

    private final ChannelGroup connections;
    private final Probes probes;
    private final Metrics metrics;
    private final AdminSettings settings;
    private final Duration healthTimeout;
    private final ConnectionSlots<Channel> slots;
    private final WarnThrottle fullWarnings = new WarnThrottle(FULL_WARNING_EVERY, System::nanoTime);

    /** @param connections where each admin connection is kept until it closes, so it can be closed on shutdown */
    AdminChannelInitializer(ChannelGroup connections, Probes probes, Metrics metrics, AdminSettings settings,
                            Duration healthTimeout) {
        this.connections = connections;
        this.probes = probes;
        this.metrics = metrics;
        this.settings = settings;
        this.healthTimeout = healthTimeout;
        this.slots = new ConnectionSlots<>(settings.maxConnections());
        metrics.adminConnections(slots::open);
    }

    @Override
    protected void initChannel(Channel ch) {
        if (!admit(ch)) {
            return;
        }
        connections.add(ch);
        ChannelPipeline p = ch.pipeline();
        // Outermost: the bytes as they arrive, before the codec holds them back for a whole head.
        p.addLast(REQUEST_BYTES, RequestBytes.INSTANCE);
        // Sees traffic both ways; AdminWaits acts on its events only while an answer is owed.
        p.addLast(IDLE_TIMEOUT, new IdleStateHandler(0, 0, ANSWER_IDLE.toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)));
        // In front of the demand handler, so that a pipelined head counts as arrived when it has,
        // not when its turn comes.
        // The body wait is never used: no admin request gets to have its body read.
        p.addLast(WAITS, new AdminWaits(new ClientWaits(settings.idleTimeout(), settings.headerTimeout(),
                settings.headerTimeout()), slots));
        // With AUTO_READ off, hands on one decoded message per read(), so pipelined requests wait
        // here until the answer in front of them is written.
        p.addLast(DEMAND, new DemandHandler());
        // Before the endpoints, which then only ever see requests without a body.
        p.addLast(BODY_REFUSAL, new RequestBodyRefusal());
        p.addLast(ENDPOINTS, new AdminRequestHandler(probes, metrics.registry(), healthTimeout));
    }

    /**
     * Takes {@code ch} in, closing another admin connection to make room when the listener is
     * full; or closes {@code ch} when no other can give way. Either way the accepted descriptor is
     * given back at once, so a flood on this port never holds more than admin.max-connections.
     */
    private boolean admit(Channel ch) {
        ConnectionSlots.Admission<Channel> admission = slots.admit(ch);
        if (!admission.admitted()) {
            metrics.adminRefusedNew();
            warnFull(ch, "closed the new connection: every admin connection is being answered");
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> slots.closed(ch));
        if (admission.evicted() != null) {
            metrics.adminClosedOldest();
            warnFull(ch, "closed the connection that had waited longest for a request head");
            admission.evicted().close();
        }
        return true;
    }

    private void warnFull(Channel ch, String action) {
        long folded = fullWarnings.admit("full");
        if (folded < 0) {
            return;
        }
        LOG.warn("event=admin-connections-full max={} peer={} action=\"{}\" folded={} detail=\"logged at most once a"
                        + " minute; mapgate_admin_connections_over_limit_total counts each time\"",
                slots.max(), ch.remoteAddress(), action, folded);
    }
}
