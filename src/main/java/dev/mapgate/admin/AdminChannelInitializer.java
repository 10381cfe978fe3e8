package dev.mapgate.admin;

import dev.mapgate.flow.DemandHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.time.Duration;

/** The admin pipeline, top to bottom. Requests here are short GETs, so every limit is small. */
final class AdminChannelInitializer extends ChannelInitializer<Channel> {

    static final String IDLE_TIMEOUT = "idle-timeout";
    static final String HTTP_CODEC = "http-codec";
    static final String DEMAND = "demand";
    static final String BODY_REFUSAL = "body-refusal";
    static final String ENDPOINTS = "admin-endpoints";

    static final int MAX_INITIAL_LINE = 4 * 1024;
    static final int MAX_HEADER_SIZE = 8 * 1024;

    private final ChannelGroup connections;
    private final Probes probes;
    private final PrometheusMeterRegistry registry;
    private final Duration idleTimeout;
    private final Duration healthTimeout;

    /** @param connections where each admin connection is kept until it closes, so it can be closed on shutdown */
    AdminChannelInitializer(ChannelGroup connections, Probes probes, PrometheusMeterRegistry registry,
                            Duration idleTimeout, Duration healthTimeout) {
        this.connections = connections;
        this.probes = probes;
        this.registry = registry;
        this.idleTimeout = idleTimeout;
        this.healthTimeout = healthTimeout;
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        ChannelPipeline p = ch.pipeline();
        // Outermost, so that it sees bytes both ways and a slow-drip client counts as busy only
        // while it actually sends.
        p.addLast(IDLE_TIMEOUT, new IdleClose(idleTimeout));
        p.addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)));
        // With AUTO_READ off, hands on one decoded message per read(), so pipelined requests wait
        // here until the answer in front of them is written.
        p.addLast(DEMAND, new DemandHandler());
        // Before the endpoints, which then only ever see requests without a body.
        p.addLast(BODY_REFUSAL, new RequestBodyRefusal());
        p.addLast(ENDPOINTS, new AdminRequestHandler(probes, registry, healthTimeout));
    }
}
