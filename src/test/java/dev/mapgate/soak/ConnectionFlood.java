package dev.mapgate.soak;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many keep-alive connections held by two event-loop threads (not a thread each), with a request
 * on every one of them on demand. Connections go out from several loopback source addresses,
 * 127.0.0.1 to 127.0.0.{@value #SOURCES}: each has its own ephemeral ports, so the count is not
 * bounded by one address's range (28,232 ports by default, fewer when bound explicitly).
 */
final class ConnectionFlood implements AutoCloseable {

    static final int SOURCES = 8;

    private static final AttributeKey<CompletableFuture<String>> ANSWER = AttributeKey.valueOf("flood-answer");
    private static final int KEPT_FAILURES = 10;

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<Channel> channels = new ArrayList<>();
    private final AtomicInteger closedByServer = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> connectFailures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger failedConnects = new AtomicInteger();
    private volatile byte[] expected = new byte[0];
    private volatile boolean closing;

    /** What a round of requests found: right answers, and the first few wrong ones. */
    record Round(int ok, int failed, List<String> failures, double seconds) {
    }

    /**
     * Opens {@code count} connections to {@code server}, at most {@code inFlight} connecting at
     * once: keep it below the listener's accept backlog (1024 in mapgate), or SYNs are dropped and
     * retried only a second later.
     */
    static ConnectionFlood open(InetSocketAddress server, int count, int inFlight) throws InterruptedException {
        ConnectionFlood flood = new ConnectionFlood();
        flood.connect(server, count, inFlight);
        return flood;
    }

    private void connect(InetSocketAddress server, int count, int inFlight) throws InterruptedException {
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new Answers());
                    }
                });
        Semaphore connecting = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            connecting.acquire();
            InetSocketAddress source = new InetSocketAddress("127.0.0." + (1 + i % SOURCES), 0);
            ChannelFuture f = bootstrap.connect(server, source);
            f.addListener(result -> {
                if (result.isSuccess()) {
                    synchronized (channels) {
                        channels.add(f.channel());
                    }
                } else {
                    failedConnects.incrementAndGet();
                    if (connectFailures.size() < KEPT_FAILURES) {
                        connectFailures.add(String.valueOf(result.cause()));
                    }
                }
                connecting.release();
                done.countDown();
            });
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new AssertionError("connecting " + count + " did not finish within 5 minutes");
        }
    }

    int connected() {
        synchronized (channels) {
            return channels.size();
        }
    }

    int failedConnects() {
        return failedConnects.get();
    }

    List<String> connectFailures() {
        return List.copyOf(connectFailures);
    }

    /** Connections still open, as this side sees them. */
    int open() {
        return (int) snapshot().stream().filter(Channel::isActive).count();
    }

    /** Connections the server closed (or that broke) since they were opened. */
    int closedByServer() {
        return closedByServer.get();
    }

    /**
     * Sends {@code GET path} on every connection, at most {@code inFlight} at once, and checks
     * that each answer is a 200 whose body is {@code body}.
     */
    Round requestOnEach(String path, byte[] body, int inFlight) throws InterruptedException {
        expected = body;
        List<Channel> all = snapshot();
        Semaphore slots = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(all.size());
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        for (Channel ch : all) {
            slots.acquire();
            CompletableFuture<String> answer = new CompletableFuture<>();
            ch.attr(ANSWER).set(answer);
            answer.orTimeout(30, TimeUnit.SECONDS).whenComplete((problem, error) -> {
                if (problem == null && error == null) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    if (failures.size() < KEPT_FAILURES) {
                        failures.add(ch.localAddress() + ": " + (error != null ? error : problem));
                    }
                }
                slots.release();
                done.countDown();
            });
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
                    Unpooled.EMPTY_BUFFER);
            request.headers().set(HttpHeaderNames.HOST, "flood.test");
            ch.writeAndFlush(request).addListener(w -> {
                if (!w.isSuccess()) {
                    answer.complete("write failed: " + w.cause());
                }
            });
        }
        if (!done.await(5, TimeUnit.MINUTES)) {
            throw new AssertionError("a round of " + all.size() + " requests did not finish within 5 minutes");
        }
        return new Round(ok.get(), failed.get(), List.copyOf(failures), (System.nanoTime() - start) / 1e9);
    }

    private List<Channel> snapshot() {
        synchronized (channels) {
            return List.copyOf(channels);
        }
    }

    /** Checks each response against the body expected in this round, and notices a closed connection. */
    private final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            String problem = null;
            if (response.status().code() != 200) {
                problem = "status " + response.status().code();
            } else if (!Arrays.equals(ByteBufUtil.getBytes(response.content()), expected)) {
                problem = "body of " + response.content().readableBytes() + " bytes differs from the file";
            }
            CompletableFuture<String> answer = ctx.channel().attr(ANSWER).getAndSet(null);
            if (answer != null) {
                answer.complete(problem);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closing) {
                closedByServer.incrementAndGet();
            }
            CompletableFuture<String> answer = ctx.channel().attr(ANSWER).getAndSet(null);
            if (answer != null) {
                answer.complete("connection closed before the answer");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Closes every connection from this side. */
    @Override
    public void close() {
        closing = true;
        snapshot().forEach(Channel::close);
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
