package dev.mapgate.server;

import dev.mapgate.config.ListenRules;
import dev.mapgate.config.LiveSettings;
import dev.mapgate.config.Settings;
import dev.mapgate.config.StartupSettings;
import dev.mapgate.flow.DemandHandler;
import dev.mapgate.gate.GuessLimiter;
import dev.mapgate.limits.ClientWaits;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.origin.OriginPool;
import dev.mapgate.origin.ProxyHandler;
import dev.mapgate.origin.StaticFileHandler;
import dev.mapgate.tls.ServerTls;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The client-facing pipeline, top to bottom. Each handler does one thing; the order matters and
 * is explained where it is not obvious.
 */
final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {

    static final String PROXY_V1_CHECK = "proxy-v1-check";
    static final String PROXY_PROTOCOL = "proxy-protocol";
    static final String PROXY_HEADER = "proxy-header";
    static final String TLS = "tls";
    static final String IDLE_TIMEOUT = "idle-timeout";
    static final String HTTP_CODEC = "http-codec";
    static final String DEMAND = "demand";
    static final String EXCHANGE = "http-exchange";
    static final String GATED_RESPONSE = "gated-response-headers";
    static final String REQUEST_GATE = "request-gate";
    static final String CONTENT_GUARD = "content-guard";
    static final String EXPECT_CONTINUE = "expect-continue";
    static final String CHUNKED_WRITER = "chunked-writer";
    static final String ORIGIN = "origin";
    static final String ERRORS = "client-errors";

    private final StartupSettings startup;
    private final LiveSettings live;
    private final BooleanSupplier draining;
    private final OriginPool originPool;
    private final Executor verifier;
    private final ChannelGroup clients;
    private final ConnectionLimit connections;
    private final ServerTls tls;
    private final Metrics metrics;
    private final GuessLimiter guesses;

    /**
     * @param live       the config in force: a new connection is set up by the snapshot current
     *                   when it is accepted; each request is judged by the one current when it arrives
     * @param draining   whether shutdown has begun: a connection accepted then is closed after its first response
     * @param originPool the pool for {@code origin.url}, or {@code null} for the static origin
     * @param tls        the listener's TLS, or {@code null} for plain HTTP
     * @param guesses    failed credentials and bcrypt checks per address, shared by every connection
     */
    ClientChannelInitializer(LiveSettings live, BooleanSupplier draining, OriginPool originPool, Executor verifier,
                             ChannelGroup clients, ServerTls tls, Metrics metrics, GuessLimiter guesses) {
        this.clients = clients;
        // What only a restart changes (the origin, the connection cap) is read from the startup
        // part, which no reload replaces; everything else from the snapshot live at each accept.
        this.startup = live.startup();
        this.live = live;
        this.draining = draining;
        this.originPool = originPool;
        this.verifier = verifier;
        this.tls = tls;
        this.metrics = metrics;
        this.guesses = guesses;
        // Here rather than per connection: one initializer and one throttle per server.
        metrics.throttleTable(guesses.failures()::tracked);
        this.connections = new ConnectionLimit(startup.listen().maxConnections());
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (!connections.admit(ch)) {
            return;
        }
        clients.add(ch);
        metrics.clientConnectionOpened();
        ch.closeFuture().addListener(f -> metrics.clientConnectionClosed());
        Settings settings = live.get();
        ChannelPipeline p = ch.pipeline();
        addProxyProtocol(p, ch, settings);
        addTls(p, ch, settings);
        addHttp(p, settings);
        addGate(p, settings);
        if (originPool != null) {
            p.addLast(ORIGIN, new ProxyHandler(originPool, tls != null, startup.origin().forwardHost(), metrics));
        } else {
            if (tls != null) {
                // Files cannot go to the socket zero-copy through TLS; this writes their chunks as
                // fast as the client takes them.
                p.addLast(CHUNKED_WRITER, new ChunkedWriteHandler());
            }
            p.addLast(ORIGIN, new StaticFileHandler(startup.origin().directory(), tls == null));
        }
        p.addLast(ERRORS, ClientErrors.INSTANCE);
    }

    /** First of all: the PROXY header precedes even the TLS handshake on the wire. */
    private void addProxyProtocol(ChannelPipeline p, SocketChannel ch, Settings settings) {
        if (!settings.listenRules().proxyProtocol()) {
            return;
        }
        InetSocketAddress peer = ch.remoteAddress();
        if (peer != null && settings.clientIp().trusts(peer.getAddress())) {
            // In front of the decoder, which reads some v1 lines the specification forbids (a
            // space before the CRLF, "+443", "010.0.0.1"): they are refused before it sees them.
            p.addLast(PROXY_V1_CHECK, new ProxyV1LineCheck(metrics));
            // Netty's decoder closes a connection whose first bytes are no valid PROXY header.
            p.addLast(PROXY_PROTOCOL, new HAProxyMessageDecoder());
            p.addLast(PROXY_HEADER, new ProxyHeaderReader(metrics));
        } else {
            p.addLast(PROXY_PROTOCOL, new UntrustedProxyHeaderGuard(metrics));
        }
    }

    private void addTls(ChannelPipeline p, SocketChannel ch, Settings settings) {
        if (tls != null) {
            // A client gets as long for its handshake as for its request's header section.
            p.addLast(TLS, tls.newHandler(ch.alloc(), settings.listenRules().headerTimeout().toMillis()));
        }
    }

    private void addHttp(ChannelPipeline p, Settings settings) {
        ListenRules listen = settings.listenRules();
        // Outermost of the HTTP handlers, so that it sees all traffic in both directions.
        // ExchangeHandler acts on its events only during an exchange.
        p.addLast(IDLE_TIMEOUT, new IdleStateHandler(0, 0,
                listen.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(HTTP_CODEC, new StrictHttpCodec(listen.maxInitialLineLength(), listen.maxHeaderSize(),
                listen.maxHeaderCount()));
        // With AUTO_READ off, hands on one decoded message per read(): pipelined requests wait
        // here, not in our handlers, until the exchange before them is finished.
        p.addLast(DEMAND, new DemandHandler());
        p.addLast(EXCHANGE, new ExchangeHandler(
                new ClientWaits(listen.keepAliveTimeout(), listen.headerTimeout(), listen.bodyTimeout()), metrics,
                draining.getAsBoolean()));
    }

    private void addGate(ChannelPipeline p, Settings settings) {
        // Before the gate, so it also sees the gate's own denials on the way out.
        p.addLast(GATED_RESPONSE, new GatedResponseHeaders(settings.gate().tokenHeader()));
        p.addLast(REQUEST_GATE, new GateHandler(live::requestRules, verifier, metrics, guesses));
        // Behind the gate, so its denial of a map passes GatedResponseHeaders; in front of the
        // origin handler, so it sees every response before anything of it leaves.
        p.addLast(CONTENT_GUARD, new ContentGuard());
        // After the gate: a denied request's client never gets a "100 Continue".
        p.addLast(EXPECT_CONTINUE, new HttpServerExpectContinueHandler());
    }
}
