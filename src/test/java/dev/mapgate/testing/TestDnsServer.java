package dev.mapgate.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on loopback UDP that knows the names a test gives it: each an IPv4 address with a
 * TTL, answered at once or after a delay. AAAA questions for a known name get an empty answer;
 * unknown names get NXDOMAIN. Built on Netty's DNS codec, like the resolver it answers.
 */
public final class TestDnsServer implements AutoCloseable {

    /** What one name resolves to, and how long the answer takes. */
    private record Entry(byte[] ipv4, int ttlSeconds, Duration delay) {
    }

    private final Map<String, Entry> names = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private final EventLoopGroup group;
    private final Channel channel;

    private TestDnsServer() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-dns", true), NioIoHandler.newFactory());
        channel = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new Answerer());
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    public static TestDnsServer start() throws InterruptedException {
        return new TestDnsServer();
    }

    /** From now on {@code name} is {@code ipv4}, valid for {@code ttlSeconds}, answered after {@code delay}. */
    public TestDnsServer answer(String name, String ipv4, int ttlSeconds, Duration delay) {
        byte[] address = NetUtil.createByteArrayFromIpAddressString(ipv4);
        if (address == null || address.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + ipv4);
        }
        names.put(normalize(name), new Entry(address, ttlSeconds, delay));
        return this;
    }

    /** Questions received for {@code name}, of any type. */
    public int queries(String name) {
        AtomicInteger count = asked.get(normalize(name));
        return count == null ? 0 : count.get();
    }

    /** Questions received for any name. */
    public int queries() {
        return asked.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** For the resolver under test: this server as its only name server. */
    public DnsServerAddressStreamProvider asNameServer() {
        return new SingletonDnsServerAddressStreamProvider(address());
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** Answers each question; the query itself is released by SimpleChannelInboundHandler. */
    private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            if (question == null) {
                return;
            }
            String name = normalize(question.name());
            asked.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            Entry entry = names.get(name);
            // Only plain values cross into the task, not the query (released when this returns):
            // the response, and the buffer of its record, are made when it is sent, so a delayed
            // answer cut off by close() leaks nothing.
            InetSocketAddress self = query.recipient();
            InetSocketAddress client = query.sender();
            int id = query.id();
            String asName = question.name();
            DnsRecordType type = question.type();
            Runnable reply = () -> ctx.writeAndFlush(response(self, client, id, asName, type, entry));
            if (entry == null || entry.delay().isZero()) {
                reply.run();
            } else {
                ctx.executor().schedule(reply, entry.delay().toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        private static DatagramDnsResponse response(InetSocketAddress self, InetSocketAddress client, int id,
                                                    String name, DnsRecordType type, Entry entry) {
            DatagramDnsResponse response = new DatagramDnsResponse(self, client, id);
            response.setAuthoritativeAnswer(true).setRecursionAvailable(true);
            response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
            if (entry == null) {
                response.setCode(DnsResponseCode.NXDOMAIN);
            } else if (type == DnsRecordType.A) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(name, DnsRecordType.A,
                        entry.ttlSeconds(), Unpooled.wrappedBuffer(entry.ipv4())));
            }
            return response;
        }
    }
}
