package dev.mapgate.server;

import dev.mapgate.config.ListenSettings;
import dev.mapgate.config.Settings;
import dev.mapgate.origin.OriginPool;
import dev.mapgate.origin.ProxyHandler;
import dev.mapgate.origin.StaticFileHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The client-facing pipeline, top to bottom. Each handler does one thing; the order matters and
 * is explained where it is not obvious.
 */
final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final String IDLE_TIMEOUT = "idle-timeout";
    static final String HTTP_CODEC = "http-codec";
    static final String FLOW_CONTROL = "flow-control";
    static final String EXCHANGE = "http-exchange";
    static final String GATED_RESPONSE = "gated-response-headers";
    static final String REQUEST_GATE = "request-gate";
    static final String EXPECT_CONTINUE = "expect-continue";
    static final String ORIGIN = "origin";

    private final Settings settings;
    private final OriginPool originPool;
    private final Executor verifier;
    private final ChannelHandler gatedResponseHeaders;
    private final ChannelGroup clients;
    private final ConnectionLimit connections;

    /** @param originPool the pool for {@code origin.url}, or {@code null} for the static origin */
    ClientChannelInitializer(Settings settings, OriginPool originPool, Executor verifier, ChannelGroup clients) {
        this.clients = clients;
        this.settings = settings;
        this.originPool = originPool;
        this.verifier = verifier;
        this.gatedResponseHeaders = new GatedResponseHeaders(settings.gate().tokenHeader());
        this.connections = new ConnectionLimit(settings.listen().maxConnections());
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!connections.admit(ch)) {
            return;
        }
        clients.add(ch);
        ListenSettings listen = settings.listen();
        ChannelPipeline p = ch.pipeline();
        // Outermost, so that it sees all traffic in both directions. ExchangeHandler acts on its
        // events only during an exchange.
        p.addLast(IDLE_TIMEOUT, new IdleStateHandler(0, 0,
                listen.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(HTTP_CODEC, new StrictHttpCodec(listen.maxInitialLineLength(), listen.maxHeaderSize(),
                listen.maxHeaderCount()));
        // With AUTO_READ off, hands on one decoded message per read(): pipelined requests wait
        // here, not in our handlers, until the exchange before them is finished.
        p.addLast(FLOW_CONTROL, new FlowControlHandler());
        p.addLast(EXCHANGE, new ExchangeHandler(
                new ClientWaits(listen.keepAliveTimeout(), listen.headerTimeout(), listen.bodyTimeout())));
        // Before the gate, so it also sees the gate's own denials on the way out.
        p.addLast(GATED_RESPONSE, gatedResponseHeaders);
        p.addLast(REQUEST_GATE, new GateHandler(settings.gate(), listen.hosts(), verifier));
        // After the gate: a denied request's client never gets a "100 Continue".
        p.addLast(EXPECT_CONTINUE, new HttpServerExpectContinueHandler());
        p.addLast(ORIGIN, originPool != null
                ? new ProxyHandler(originPool)
                : new StaticFileHandler(settings.origin().directory()));
    }
}
