package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RequestRules;
import dev.mapgate.exchange.AdmittedRequest;
import dev.mapgate.gate.Site;
import dev.mapgate.gate.SiteScope;
import dev.mapgate.gate.Sites;
import dev.mapgate.gate.ThrottleSettings;
import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.gate.BasicUser;
import dev.mapgate.gate.Check;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.DenyReason;
import dev.mapgate.gate.FailureThrottle;
import dev.mapgate.gate.GuessLimiter;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.Route;
import dev.mapgate.gate.Token;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GateHandlerTest {

    private static final String TOKEN_HEADER = "X-Sentry-Token";
    private static final String TOKEN = "tok-3f9a1c";
    private static final String ALICE_HASH = BCrypt.withDefaults().hashToString(4, "alice-pw".toCharArray());
    private static final String BOB_HASH = BCrypt.withDefaults().hashToString(4, "bob-pw".toCharArray());
    private static final String SENTRY_IP = "203.0.113.7";
    private static final Executor SAME_THREAD = Runnable::run;
    private static final ThrottleSettings THROTTLE =
            new ThrottleSettings(true, 3, Duration.ofMinutes(1), Duration.ofMinutes(5), 64);
    /** Not in allow-ips: a stranger whose guesses count. */
    private static final String STRANGER_IP = "192.0.2.66";

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (EmbeddedChannel channel : channels) {
            assertThat(channel.finishAndReleaseAll())
                    .as("every message must have been read and checked by the test")
                    .isFalse();
        }
    }

    /** Begins the exchange, as the ExchangeHandler in front of the gate does. */
    /** The head the gate passed on: the client's own headers, with the verdict beside them. */
    private static HttpRequest admittedHead(Object msg) {
        assertThat(msg).as("what the gate lets through carries its verdict").isInstanceOf(AdmittedRequest.class);
        return (HttpRequest) msg;
    }

    private static final class ExchangeStarter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                Exchange.slot(ctx.channel()).set(new Exchange(request, System.nanoTime()));
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Keeps verifier tasks until the test runs them, on a thread of their own. */
    private static final class HeldExecutor implements Executor {
        private final List<Runnable> tasks = new ArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        int pending() {
            return tasks.size();
        }

        void runOnVerifierThread() throws InterruptedException {
            List<Runnable> run = List.copyOf(tasks);
            tasks.clear();
            Thread verifier = new Thread(() -> run.forEach(Runnable::run), "test-verifier");
            verifier.start();
            verifier.join(30_000);
            assertThat(verifier.isAlive()).as("the verifier finished").isFalse();
        }
    }

    private static GateSettings settings(Set<Check> require, int denyStatus, boolean withBasicUsers) {
        return settings(require, denyStatus, withBasicUsers, THROTTLE);
    }

    private static GateSettings settings(Set<Check> require, int denyStatus, boolean withBasicUsers,
                                         ThrottleSettings throttle) {
        List<BasicUser> users = withBasicUsers ? List.of(new BasicUser("alice", ALICE_HASH), new BasicUser("bob", BOB_HASH)) : List.of();
        GatePolicy policy = new GatePolicy(PathGlobs.compile(List.of("**/*.map")), require,
                CidrSet.parse(List.of(SENTRY_IP, "198.51.100.0/24")),
                new Credentials(List.of(new Token("sentry", TOKEN)), users));
        return new GateSettings(policy, TOKEN_HEADER, "sourcemaps", denyStatus, withBasicUsers, throttle, true);
    }

    private static GateSettings ipAndCredential() {
        return settings(EnumSet.of(Check.IP, Check.CREDENTIAL), 404, true);
    }

    /** A channel whose peer is at {@code remoteIp}, like an accepted TCP connection. */
    private EmbeddedChannel channelFrom(String remoteIp, GateSettings settings, Executor verifier) {
        return channelFrom(remoteIp, settings, verifier, AcceptedHosts.NONE);
    }

    private EmbeddedChannel channelFrom(String remoteIp, GateSettings settings, Executor verifier, AcceptedHosts hosts) {
        return channelFrom(remoteIp, settings, verifier, hosts, ClientAddressResolver.peerOnly(), Metrics.inMemory());
    }

    private EmbeddedChannel channelFrom(String remoteIp, GateSettings settings, Executor verifier, AcceptedHosts hosts,
                                        ClientAddressResolver clientIp, Metrics metrics) {
        EmbeddedChannel channel = new EmbeddedChannel(new ExchangeStarter(),
                new GateHandler(() -> new RequestRules(settings, hosts, clientIp), verifier, metrics, new GuessLimiter(new FailureThrottle(64)))) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(remoteIp, 5555);
            }
        };
        channels.add(channel);
        return channel;
    }

    /**
     * A channel from {@code remoteIp} whose gate shares {@code throttle} with other channels, as all
     * connections to one server do; with GatedResponseHeaders in front, as in the real pipeline.
     */
    private EmbeddedChannel channelFrom(String remoteIp, GateSettings settings, Executor verifier,
                                        FailureThrottle throttle, Metrics metrics) {
        return channelFrom(remoteIp, () -> settings, verifier, new GuessLimiter(throttle), metrics);
    }

    /** As above, with the config in force read per request (a reload swaps it) and the limiter given. */
    private EmbeddedChannel channelFrom(String remoteIp, Supplier<GateSettings> settings, Executor verifier,
                                        GuessLimiter limiter, Metrics metrics) {
        EmbeddedChannel channel = new EmbeddedChannel(new ExchangeStarter(), new GatedResponseHeaders(TOKEN_HEADER),
                new GateHandler(() -> new RequestRules(settings.get(), AcceptedHosts.NONE,
                        ClientAddressResolver.peerOnly()), verifier, metrics, limiter)) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(remoteIp, 5555);
            }
        };
        channels.add(channel);
        return channel;
    }

    /** A channel whose peer address is Netty's EmbeddedSocketAddress: no IP address at all. */
    private EmbeddedChannel channelWithoutIp(GateSettings settings) {
        EmbeddedChannel channel = new EmbeddedChannel(new ExchangeStarter(), new GateHandler(
                () -> new RequestRules(settings, AcceptedHosts.NONE, ClientAddressResolver.peerOnly()), SAME_THREAD,
                Metrics.inMemory(), new GuessLimiter(new FailureThrottle(64))));
        channels.add(channel);
        return channel;
    }

    private static HttpRequest request(HttpMethod method, String uri, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        request.headers().set(HttpHeaderNames.HOST, "cdn.example");
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    private static HttpRequest get(String uri, String... headerPairs) {
        return request(HttpMethod.GET, uri, headerPairs);
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static LastHttpContent lastChunk(String text) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** A denial as the client sees it. */
    private record Denial(int status, String body, FullHttpResponse response) {
        String header(CharSequence name) {
            return response.headers().get(name);
        }
    }

    private static Denial readDenial(EmbeddedChannel channel) {
        Object msg = channel.readOutbound();
        assertThat(msg).as("the gate must have answered").isInstanceOf(FullHttpResponse.class);
        FullHttpResponse response = (FullHttpResponse) msg;
        try {
            return new Denial(response.status().code(), response.content().toString(StandardCharsets.UTF_8), response);
        } finally {
            response.release();
        }
    }

    private static void assertNothingForwarded(EmbeddedChannel channel) {
        assertThat((Object) channel.readInbound()).as("nothing may reach the origin").isNull();
    }

    private static String bodyOf(Object msg) {
        assertThat(msg).isInstanceOf(HttpContent.class);
        HttpContent content = (HttpContent) msg;
        try {
            return content.content().toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }

    private static Decision decisionOn(EmbeddedChannel channel) {
        return Exchange.current(channel).decision();
    }

    @Test
    void aTrustedHopsReportIsWhatTheGateJudgesAndWhatTheExchangeRecords() {
        ClientAddressResolver behindLb = ClientAddressResolver.of(CidrSet.parse(List.of("10.0.0.0/8")), "X-Forwarded-For");
        EmbeddedChannel channel = channelFrom("10.0.0.5", ipAndCredential(), SAME_THREAD, AcceptedHosts.NONE, behindLb,
                Metrics.inMemory());
        HttpRequest request = get("/assets/app.js.map", TOKEN_HEADER, TOKEN, "X-Forwarded-For", "6.6.6.6, " + SENTRY_IP);

        channel.writeInbound(request);

        assertThat(admittedHead(channel.readInbound()).headers()).isSameAs(request.headers());
        assertThat(decisionOn(channel)).isEqualTo(Decision.allow("sentry"));
        assertThat(Exchange.current(channel).client().address().getHostAddress()).isEqualTo(SENTRY_IP);
    }

    @Test
    void anUnreadableReportFromATrustedHopDeniesTheMapAndIsCounted() {
        ClientAddressResolver behindLb = ClientAddressResolver.of(CidrSet.parse(List.of("10.0.0.0/8")), "X-Forwarded-For");
        Metrics metrics = Metrics.inMemory();
        EmbeddedChannel channel = channelFrom("10.0.0.5", ipAndCredential(), SAME_THREAD, AcceptedHosts.NONE, behindLb,
                metrics);

        channel.writeInbound(get("/assets/app.js.map", TOKEN_HEADER, TOKEN, "X-Forwarded-For", SENTRY_IP + ", bogus"),
                LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(readDenial(channel).status()).isEqualTo(404);
        assertNothingForwarded(channel);
        assertThat(decisionOn(channel)).isEqualTo(Decision.deny(DenyReason.CLIENT_ADDRESS, null));
        assertThat(metrics.registry().get("mapgate.client.address.unknown").counter().count()).isEqualTo(1.0);
    }

    @Test
    void theTestChannelReallyHasAnInternetPeerAddress() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);

        assertThat(channel.remoteAddress())
                .as("the IP tests below rely on overriding remoteAddress0() of EmbeddedChannel")
                .isEqualTo(new InetSocketAddress(SENTRY_IP, 5555));
    }

    @Test
    void aRequestOnAPassPathIsForwardedUnchangedExceptForItsCredentials() {
        EmbeddedChannel channel = channelFrom("192.0.2.1", ipAndCredential(), SAME_THREAD);
        HttpRequest request = get("/assets/app.js?v=3", TOKEN_HEADER, TOKEN,
                "Authorization", basic("alice:alice-pw"), "Accept", "*/*");

        channel.writeInbound(request, chunk("a"), LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(admittedHead(channel.readInbound()).headers()).isSameAs(request.headers());
        assertThat(request.uri()).isEqualTo("/assets/app.js?v=3");
        assertThat(request.headers().names().stream().map(n -> n.toLowerCase(Locale.ROOT)))
                .as("the origin must never see (or log) Sentry's secrets")
                .containsExactlyInAnyOrder("host", "accept");
        assertThat(bodyOf(channel.readInbound())).isEqualTo("a");
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(decisionOn(channel)).isEqualTo(Decision.pass());
        assertThat((Object) channel.readOutbound()).as("the gate does not answer").isNull();
    }

    @Test
    void aGatedRequestWithAValidTokenFromAnAllowedAddressIsForwardedWithoutTheToken() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);
        HttpRequest request = get("/assets/app.js.map", TOKEN_HEADER, TOKEN, "Authorization", "Bearer whatever");

        channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(admittedHead(channel.readInbound()).headers()).isSameAs(request.headers());
        assertThat(request.headers().contains(TOKEN_HEADER)).isFalse();
        assertThat(request.headers().contains(HttpHeaderNames.AUTHORIZATION)).isFalse();
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(decisionOn(channel)).isEqualTo(Decision.allow("sentry"));
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void aGatedRequestWithoutATokenGetsTheConfiguredDenialOnceItsEndHasArrived() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);

        channel.writeInbound(get("/assets/app.js.map"));
        assertThat((Object) channel.readOutbound())
                .as("a bodyless request is answered once its end is pulled, so the connection can be kept")
                .isNull();
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);

        Denial denial = readDenial(channel);
        assertThat(denial.status()).isEqualTo(404);
        assertThat(denial.body()).isEqualTo("404 Not Found\n");
        assertThat(denial.header(HttpHeaderNames.CONNECTION)).isNull();
        assertThat(denial.header(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        assertNothingForwarded(channel);
        assertThat(decisionOn(channel)).isEqualTo(Decision.deny(DenyReason.NO_CREDENTIAL, null));
    }

    @Test
    void aDeniedRequestWithABodyIsAnsweredAtOnceWithConnectionCloseAndItsBodyIsDropped() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);
        HttpContent part = chunk("secret upload");
        LastHttpContent end = lastChunk("!");

        channel.writeInbound(request(HttpMethod.PUT, "/assets/app.js.map", "Content-Length", "14"));
        Denial denial = readDenial(channel);
        channel.writeInbound(part, end);

        assertThat(denial.status()).isEqualTo(404);
        assertThat(denial.header(HttpHeaderNames.CONNECTION))
                .as("reading an unwanted body only helps whoever sent it")
                .isEqualTo("close");
        assertNothingForwarded(channel);
        assertThat(part.refCnt()).as("dropped body parts are released").isZero();
        assertThat(end.refCnt()).isZero();
        assertThat((Object) channel.readOutbound()).as("one answer only").isNull();
    }

    @Test
    void everyDenialReasonLooksTheSameToTheClient() {
        List<Denial> denials = new ArrayList<>();
        List<DenyReason> reasons = new ArrayList<>();
        record Attempt(String peer, String[] headers) { }
        List<Attempt> attempts = List.of(
                new Attempt(SENTRY_IP, new String[0]),
                new Attempt(SENTRY_IP, new String[] {TOKEN_HEADER, "wrong"}),
                new Attempt("192.0.2.1", new String[] {TOKEN_HEADER, TOKEN}),
                new Attempt(SENTRY_IP, new String[] {"Authorization", "Basic !!!"}));
        for (Attempt attempt : attempts) {
            EmbeddedChannel channel = channelFrom(attempt.peer(), settings(EnumSet.of(Check.IP, Check.CREDENTIAL), 403, true),
                    SAME_THREAD);
            channel.writeInbound(get("/assets/app.js.map", attempt.headers()), LastHttpContent.EMPTY_LAST_CONTENT);
            denials.add(readDenial(channel));
            reasons.add(decisionOn(channel).reason());
            assertNothingForwarded(channel);
        }

        assertThat(reasons).as("the log tells the reasons apart")
                .containsExactly(DenyReason.NO_CREDENTIAL, DenyReason.BAD_CREDENTIAL, DenyReason.IP,
                        DenyReason.BAD_CREDENTIAL);
        for (Denial denial : denials) {
            assertThat(denial.status()).isEqualTo(403);
            assertThat(denial.body()).isEqualTo("403 Forbidden\n");
            assertThat(denial.response().headers().entries().toString())
                    .as("the client must not learn which check failed")
                    .isEqualTo(denials.get(0).response().headers().entries().toString());
        }
    }

    @Test
    void aGateThatRequiresAnAddressDeniesAClientWhoseAddressIsUnknown() {
        EmbeddedChannel channel = channelWithoutIp(ipAndCredential());
        assertThat(channel.remoteAddress()).isNotInstanceOf(InetSocketAddress.class);

        channel.writeInbound(get("/assets/app.js.map", TOKEN_HEADER, TOKEN), LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(readDenial(channel).status()).as("fail closed, even with a valid token").isEqualTo(404);
        assertNothingForwarded(channel);
        assertThat(decisionOn(channel)).isEqualTo(Decision.deny(DenyReason.IP, "sentry"));
    }

    @Test
    void aCredentialOnlyGateAllowsAValidTokenFromAnyAddress() {
        EmbeddedChannel channel = channelWithoutIp(settings(EnumSet.of(Check.CREDENTIAL), 404, false));
        HttpRequest request = get("/assets/app.js.map", TOKEN_HEADER, TOKEN);

        channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(admittedHead(channel.readInbound()).headers()).isSameAs(request.headers());
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(request.headers().contains(TOKEN_HEADER)).isFalse();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void a401OffersBasicWhenBasicUsersAreConfigured() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, settings(EnumSet.of(Check.CREDENTIAL), 401, true), SAME_THREAD);

        channel.writeInbound(get("/assets/app.js.map"), LastHttpContent.EMPTY_LAST_CONTENT);

        Denial denial = readDenial(channel);
        assertThat(denial.status()).isEqualTo(401);
        assertThat(denial.body()).isEqualTo("401 Unauthorized\n");
        assertThat(denial.header(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Basic realm=\"sourcemaps\"");
    }

    @Test
    void a401DoesNotOfferBasicWhenOnlyTokensAreConfigured() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, settings(EnumSet.of(Check.CREDENTIAL), 401, false), SAME_THREAD);

        channel.writeInbound(get("/assets/app.js.map"), LastHttpContent.EMPTY_LAST_CONTENT);

        Denial denial = readDenial(channel);
        assertThat(denial.status()).isEqualTo(401);
        assertThat(denial.header(HttpHeaderNames.WWW_AUTHENTICATE))
                .as("a browser would prompt for a password that can never work")
                .isNull();
    }

    @Test
    void aDeniedHeadRequestGetsTheSameHeadersAndNoBody() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);

        channel.writeInbound(request(HttpMethod.HEAD, "/assets/app.js.map"), LastHttpContent.EMPTY_LAST_CONTENT);

        Denial denial = readDenial(channel);
        assertThat(denial.status()).isEqualTo(404);
        assertThat(denial.body()).isEmpty();
        assertThat(denial.header(HttpHeaderNames.CONTENT_LENGTH))
                .as("HEAD announces the length the GET body would have")
                .isEqualTo(String.valueOf("404 Not Found\n".length()));
    }

    @Test
    void requestsTheDecoderCouldNotParseAreRefusedWithAMatchingStatusAndConnectionClose() {
        record Case(Throwable cause, int status) { }
        for (Case c : List.of(
                new Case(new TooLongHttpLineException("line"), 414),
                new Case(new TooLongHttpHeaderException("headers"), 431),
                new Case(new TooLongFrameException("frame"), 413),
                new Case(new IllegalArgumentException("invalid version"), 400))) {
            EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);
            HttpRequest request = get("/bad", TOKEN_HEADER, TOKEN);
            request.setDecoderResult(DecoderResult.failure(c.cause()));

            channel.writeInbound(request);

            Denial denial = readDenial(channel);
            assertThat(denial.status()).as(c.cause().getClass().getSimpleName()).isEqualTo(c.status());
            assertThat(denial.header(HttpHeaderNames.CONNECTION))
                    .as("after a parse failure the rest of the stream cannot be trusted")
                    .isEqualTo("close");
            assertNothingForwarded(channel);
        }
    }

    @Test
    void aRequestRefusedForItsFramingHeadersIsAnsweredWithoutReadingThemAgain() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);
        HttpRequest request = get("/app.js", "Content-Length", "3, 3");
        request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("Multiple Content-Length values")));

        channel.writeInbound(request);

        Denial denial = readDenial(channel);
        assertThat(denial.status()).as("a list Content-Length cannot be parsed; the client must still get its 400")
                .isEqualTo(400);
        assertThat(denial.header(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertNothingForwarded(channel);
    }

    @Test
    void anAmbiguousTargetIsRefusedWith400AndConnectionClose() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);

        channel.writeInbound(get("/a/../b.map", TOKEN_HEADER, TOKEN));

        Denial denial = readDenial(channel);
        assertThat(denial.status()).isEqualTo(400);
        assertThat(denial.body()).isEqualTo("400 Bad Request\n");
        assertThat(denial.header(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertNothingForwarded(channel);
        assertThat(Exchange.current(channel).target()).as("no canonical target for the log").isNull();
    }

    @Test
    void anAbsoluteFormTargetForAnAcceptedHostIsServedWithItsHostAsTheHostHeader() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD,
                AcceptedHosts.of(List.of("assets.example.com")));
        HttpRequest request = get("http://Assets.Example.com:8080/app.js.map", TOKEN_HEADER, TOKEN);

        channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(admittedHead(channel.readInbound()).headers()).isSameAs(request.headers());
        assertThat(request.headers().getAll(HttpHeaderNames.HOST))
                .as("the target's host replaces the Host header, RFC 9112 section 3.2.2")
                .containsExactly("assets.example.com:8080");
        assertThat(Exchange.current(channel).target().path()).isEqualTo("/app.js.map");
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    @Test
    void anAbsoluteFormTargetForAnyOtherHostIsRefusedWith400() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD,
                AcceptedHosts.of(List.of("assets.example.com")));

        channel.writeInbound(get("http://evil.example/app.js.map", TOKEN_HEADER, TOKEN));

        Denial denial = readDenial(channel);
        assertThat(denial.status()).isEqualTo(400);
        assertThat(denial.header(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertNothingForwarded(channel);
    }

    @Test
    void twoTokenHeadersAreDeniedAsABadCredentialEvenIfOneIsValid() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);

        channel.writeInbound(get("/assets/app.js.map", TOKEN_HEADER, TOKEN, TOKEN_HEADER, "other"),
                LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(readDenial(channel).status()).isEqualTo(404);
        assertNothingForwarded(channel);
        assertThat(decisionOn(channel).reason())
                .as("the client did present a credential, just not a usable one; the log must not say it sent none")
                .isEqualTo(DenyReason.BAD_CREDENTIAL);
    }

    @Test
    void twoAuthorizationHeadersAreDeniedAsABadCredentialEvenIfTheFirstIsValid() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);

        channel.writeInbound(get("/assets/app.js.map", "Authorization", basic("alice:alice-pw"),
                "Authorization", basic("alice:other")), LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(readDenial(channel).status()).isEqualTo(404);
        assertNothingForwarded(channel);
        assertThat(decisionOn(channel).reason()).isEqualTo(DenyReason.BAD_CREDENTIAL);
    }

    @Test
    void anUncachedBasicCredentialIsVerifiedOffTheEventLoopAndTheBodyThatArrivesMeanwhileFollowsInOrder()
            throws InterruptedException {
        HeldExecutor verifier = new HeldExecutor();
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), verifier);
        HttpRequest request = request(HttpMethod.POST, "/assets/app.js.map", "Authorization", basic("alice:alice-pw"),
                "Content-Length", "6");

        channel.writeInbound(request, chunk("one"), lastChunk("two"));
        assertThat(verifier.pending()).as("bcrypt must not run on the event loop").isEqualTo(1);
        assertNothingForwarded(channel);
        assertThat(decisionOn(channel)).isNull();

        verifier.runOnVerifierThread();
        channel.runPendingTasks();

        assertThat(admittedHead(channel.readInbound()).headers()).isSameAs(request.headers());
        assertThat(request.headers().contains(HttpHeaderNames.AUTHORIZATION)).isFalse();
        assertThat((Object) channel.readInbound())
                .as("what waited is handed on a part per read, so a read can never pass over it").isNull();
        channel.read();
        assertThat(bodyOf(channel.readInbound())).isEqualTo("one");
        channel.read();
        Object end = channel.readInbound();
        assertThat(end).isInstanceOf(LastHttpContent.class);
        assertThat(bodyOf(end)).isEqualTo("two");
        assertThat(decisionOn(channel)).isEqualTo(Decision.allow("alice"));
        assertThat((Object) channel.readOutbound()).isNull();

        HttpRequest again = get("/assets/app.js.map", "Authorization", basic("alice:alice-pw"));
        channel.writeInbound(again, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(verifier.pending()).as("a verified credential is remembered").isZero();
        assertThat(admittedHead(channel.readInbound()).headers()).isSameAs(again.headers());
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    @Test
    void aWrongBasicPasswordIsDeniedAfterVerificationEvenIfTheRequestEndArrivedMeanwhile()
            throws InterruptedException {
        HeldExecutor verifier = new HeldExecutor();
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), verifier);
        LastHttpContent end = lastChunk("");

        channel.writeInbound(get("/assets/app.js.map", "Authorization", basic("alice:guess")), end);
        verifier.runOnVerifierThread();
        channel.runPendingTasks();

        assertNothingForwarded(channel);
        assertThat(end.refCnt()).isZero();
        assertThat(decisionOn(channel)).isEqualTo(Decision.deny(DenyReason.BAD_CREDENTIAL, null));
        assertThat(channel.outboundMessages())
                .as("the client has sent its whole request and must get an answer, not wait forever")
                .hasSize(1);
        Denial denial = readDenial(channel);
        assertThat(denial.status()).isEqualTo(404);
        assertThat(denial.header(HttpHeaderNames.CONNECTION))
                .as("the request is complete, so the connection can be kept")
                .isNull();
    }

    @Test
    void aFullVerifierQueueDeniesRatherThanQueueingWithoutBound() {
        Executor full = task -> {
            throw new RejectedExecutionException("queue full");
        };
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), full);

        channel.writeInbound(get("/assets/app.js.map", "Authorization", basic("alice:alice-pw")),
                LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(readDenial(channel).status()).isEqualTo(404);
        assertNothingForwarded(channel);
        assertThat(decisionOn(channel)).isEqualTo(Decision.deny(DenyReason.ERROR, null));
    }

    @Test
    void aConnectionClosedWhileVerifyingForwardsNothingAndReleasesWhatWaited() throws InterruptedException {
        HeldExecutor verifier = new HeldExecutor();
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), verifier);
        HttpContent part = chunk("waiting");

        channel.writeInbound(request(HttpMethod.POST, "/assets/app.js.map", "Authorization", basic("alice:alice-pw"),
                "Content-Length", "20"), part);
        channel.close();
        verifier.runOnVerifierThread();
        channel.runPendingTasks();

        assertNothingForwarded(channel);
        assertThat(part.refCnt()).isZero();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void aDeniedRequestDoesNotSpoilTheNextOneOnTheSameConnection() {
        EmbeddedChannel channel = channelFrom(SENTRY_IP, ipAndCredential(), SAME_THREAD);

        channel.writeInbound(get("/assets/app.js.map"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(readDenial(channel).status()).isEqualTo(404);

        HttpRequest next = get("/assets/app.js.map", TOKEN_HEADER, TOKEN);
        HttpContent body = chunk("x");
        channel.writeInbound(next, body, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(admittedHead(channel.readInbound()).headers()).isSameAs(next.headers());
        assertThat(bodyOf(channel.readInbound())).isEqualTo("x");
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(decisionOn(channel).route()).isEqualTo(Route.GATED);
        assertThat((Object) channel.readOutbound()).isNull();
    }

    // ---- throttling of failed credentials ------------------------------------------------------

    /** A credential-only gate, so that a stranger's credential is checked and its failures count. */
    private static GateSettings credentialOnly(ThrottleSettings throttle) {
        return settings(EnumSet.of(Check.CREDENTIAL), 404, true, throttle);
    }

    /** Sends {@code request} without a body and returns the gate's answer; nothing may be forwarded. */
    private static Denial denied(EmbeddedChannel channel, HttpRequest request) {
        channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        Denial denial = readDenial(channel);
        assertNothingForwarded(channel);
        return denial;
    }

    private static Denial deniedGet(EmbeddedChannel channel, String uri, String... headerPairs) {
        return denied(channel, get(uri, headerPairs));
    }

    /** Sends one GET for {@code uri}, which must reach the origin whole. */
    private static void forwardedGet(EmbeddedChannel channel, String uri, String... headerPairs) {
        HttpRequest request = get(uri, headerPairs);
        channel.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(admittedHead(channel.readInbound()).headers()).as("%s is forwarded", uri).isSameAs(request.headers());
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat((Object) channel.readOutbound()).as("the origin answers, not the gate").isNull();
    }

    private static double counted(Metrics metrics, String name) {
        return metrics.registry().get(name).counter().count();
    }

    @Test
    void anAddressThatGuessesWrongTooOftenGets429OnGatedPathsUntilItsCoolDownEnds() {
        AtomicLong clock = new AtomicLong();
        FailureThrottle throttle = new FailureThrottle(64, clock::get);
        Metrics metrics = Metrics.inMemory();
        GateSettings gate = credentialOnly(THROTTLE);
        EmbeddedChannel attacker = channelFrom(STRANGER_IP, gate, SAME_THREAD, throttle, metrics);

        for (int i = 0; i < THROTTLE.maxFailures(); i++) {
            assertThat(deniedGet(attacker, "/assets/app.js.map", TOKEN_HEADER, "guess-" + i).status())
                    .as("below the limit a wrong token is denied as usual").isEqualTo(404);
            assertThat(decisionOn(attacker).reason()).isEqualTo(DenyReason.BAD_CREDENTIAL);
        }
        assertThat(counted(metrics, "mapgate.gate.throttle.started")).isEqualTo(1.0);

        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        Denial throttled = deniedGet(attacker, "/assets/app.js.map", TOKEN_HEADER, "guess-again");
        assertThat(throttled.status()).as("a wrong token gets 429 during the cool-down").isEqualTo(429);
        assertThat(throttled.header(HttpHeaderNames.RETRY_AFTER)).isEqualTo("290");
        assertThat(throttled.body()).isEqualTo("429 Too Many Requests\n");
        assertThat(decisionOn(attacker)).as("what the access log and mapgate.requests show")
                .isEqualTo(Decision.deny(DenyReason.THROTTLED, null));
        assertThat(DenyReason.THROTTLED.label()).isEqualTo("throttled");
        assertThat(throttled.header(HttpHeaderNames.CACHE_CONTROL))
                .as("a gated denial, kept out of shared caches like any other").isEqualTo("private, no-store");
        assertThat(throttled.header(HttpHeaderNames.VARY)).isEqualTo(TOKEN_HEADER + ", Authorization");
        assertThat(throttled.header(HttpHeaderNames.CONNECTION)).as("the connection is kept, as for any denial")
                .isNull();

        Denial head = denied(attacker, request(HttpMethod.HEAD, "/other/file.js.map", TOKEN_HEADER, "guess-again"));
        assertThat(head.status()).as("every gated path, whether the file exists or not").isEqualTo(429);
        assertThat(head.body()).isEmpty();

        assertThat(deniedGet(attacker, "/assets/app.js.map").status())
                .as("no credential is no guess: the usual denial, cheap as it is").isEqualTo(404);

        forwardedGet(attacker, "/assets/app.js.map", TOKEN_HEADER, TOKEN);
        assertThat(decisionOn(attacker)).as("the valid token is served: the cool-down refuses guesses only")
                .isEqualTo(Decision.allow("sentry"));

        forwardedGet(attacker, "/assets/app.js", TOKEN_HEADER, TOKEN);
        assertThat(decisionOn(attacker).route()).as("assets outside the gate are still served").isEqualTo(Route.PASS);

        EmbeddedChannel neighbour = channelFrom("192.0.2.67", gate, SAME_THREAD, throttle, metrics);
        forwardedGet(neighbour, "/assets/app.js.map", TOKEN_HEADER, TOKEN);

        clock.addAndGet(Duration.ofMinutes(5).minusSeconds(10).minusNanos(1).toNanos());
        assertThat(deniedGet(attacker, "/assets/app.js.map", TOKEN_HEADER, "guess-again").header(HttpHeaderNames.RETRY_AFTER))
                .as("rounded up: a client that waits that long is not turned away again").isEqualTo("1");
        clock.incrementAndGet();
        assertThat(deniedGet(attacker, "/assets/app.js.map", TOKEN_HEADER, "guess-again").status())
                .as("after the cool-down a wrong token is checked and denied as usual").isEqualTo(404);
        assertThat(decisionOn(attacker).reason()).isEqualTo(DenyReason.BAD_CREDENTIAL);
        assertThat(counted(metrics, "mapgate.gate.throttle.started")).isEqualTo(1.0);
    }

    @Test
    void onlyACredentialThatWasTriedAndFailedCountsAsAGuess() {
        FailureThrottle throttle = new FailureThrottle(64);
        Metrics metrics = Metrics.inMemory();
        EmbeddedChannel noCredential = channelFrom(STRANGER_IP, credentialOnly(THROTTLE), SAME_THREAD, throttle,
                metrics);
        EmbeddedChannel refusedByIp = channelFrom("192.0.2.99", ipAndCredential(), SAME_THREAD, throttle, metrics);

        for (int i = 0; i < 2 * THROTTLE.maxFailures(); i++) {
            assertThat(deniedGet(noCredential, "/assets/app.js.map").status())
                    .as("someone opening a map without a token is not guessing").isEqualTo(404);
            assertThat(deniedGet(refusedByIp, "/assets/app.js.map", TOKEN_HEADER, "guess").status())
                    .as("the ip check refused it before the token was tried").isEqualTo(404);
            assertThat(decisionOn(refusedByIp).reason()).isEqualTo(DenyReason.IP);
        }

        assertThat(throttle.tracked()).isZero();
        forwardedGet(noCredential, "/assets/app.js.map", TOKEN_HEADER, TOKEN);
    }

    @Test
    void sentrysSharedAddressesAreNeverThrottledSoNoOtherSentryCustomerCanLockItOut() {
        FailureThrottle throttle = new FailureThrottle(64);
        EmbeddedChannel sentry = channelFrom(SENTRY_IP, credentialOnly(THROTTLE), SAME_THREAD, throttle,
                Metrics.inMemory());

        for (int i = 0; i < 2 * THROTTLE.maxFailures(); i++) {
            assertThat(deniedGet(sentry, "/assets/app.js.map", TOKEN_HEADER, "another-customers-token").status())
                    .isEqualTo(404);
        }

        assertThat(throttle.tracked()).isZero();
        forwardedGet(sentry, "/assets/app.js.map", TOKEN_HEADER, TOKEN);
    }

    @Test
    void withThrottlingOffFailuresAreNeitherCountedNorPunished() {
        FailureThrottle throttle = new FailureThrottle(64);
        ThrottleSettings off = new ThrottleSettings(false, 1, Duration.ofMinutes(1), Duration.ofMinutes(5), 64);
        EmbeddedChannel channel = channelFrom(STRANGER_IP, credentialOnly(off), SAME_THREAD, throttle,
                Metrics.inMemory());

        for (int i = 0; i < 5; i++) {
            assertThat(deniedGet(channel, "/assets/app.js.map", TOKEN_HEADER, "guess").status()).isEqualTo(404);
        }

        assertThat(throttle.tracked()).isZero();
        forwardedGet(channel, "/assets/app.js.map", TOKEN_HEADER, TOKEN);
    }

    @Test
    void aWrongBasicPasswordCountsOnceVerifiedAndAThrottledAddressCostsNoBcryptRun() throws InterruptedException {
        HeldExecutor verifier = new HeldExecutor();
        FailureThrottle throttle = new FailureThrottle(64);
        ThrottleSettings oneStrike = new ThrottleSettings(true, 1, Duration.ofMinutes(1), Duration.ofMinutes(5), 64);
        EmbeddedChannel channel = channelFrom(STRANGER_IP, credentialOnly(oneStrike), verifier, throttle,
                Metrics.inMemory());

        channel.writeInbound(get("/assets/app.js.map", "Authorization", basic("alice:guess")),
                LastHttpContent.EMPTY_LAST_CONTENT);
        verifier.runOnVerifierThread();
        channel.runPendingTasks();
        assertThat(readDenial(channel).status()).isEqualTo(404);
        assertThat(decisionOn(channel).reason()).isEqualTo(DenyReason.BAD_CREDENTIAL);

        Denial denial = denied(channel, get("/assets/app.js.map", "Authorization", basic("alice:alice-pw")));
        assertThat(denial.status()).isEqualTo(429);
        assertThat(verifier.pending()).as("the cool-down is checked before bcrypt is even queued").isZero();

        HttpRequest bob = get("/assets/app.js.map", "Authorization", basic("bob:bob-pw"));
        channel.writeInbound(bob, LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(verifier.pending()).as("another user from the same address is checked: alice's count is hers")
                .isEqualTo(1);
        verifier.runOnVerifierThread();
        channel.runPendingTasks();
        assertThat(decisionOn(channel)).isEqualTo(Decision.allow("bob"));
        assertThat(admittedHead(channel.readInbound()).headers()).isSameAs(bob.headers());
        channel.read();
        assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /**
     * A reload that changes alice's password while a check of her old one is queued: a request
     * with the old password from the same address, arriving after the reload, must not take the
     * old check's "allow". It is judged by the new config, so it waits its turn (429 here).
     */
    @Test
    void aRequestAfterAReloadNeverSharesTheCheckOfACredentialUnderTheOldConfig() throws InterruptedException {
        HeldExecutor verifier = new HeldExecutor();
        GuessLimiter limiter = new GuessLimiter(new FailureThrottle(64));
        GateSettings before = credentialOnly(THROTTLE);
        String changedHash = BCrypt.withDefaults().hashToString(4, "alice-new-pw".toCharArray());
        GatePolicy changed = new GatePolicy(PathGlobs.compile(List.of("**/*.map")), EnumSet.of(Check.CREDENTIAL),
                CidrSet.parse(List.of(SENTRY_IP)), new Credentials(List.of(new Token("sentry", TOKEN)),
                List.of(new BasicUser("alice", changedHash))));
        GateSettings after = new GateSettings(changed, TOKEN_HEADER, "sourcemaps", 404, true, THROTTLE, true);
        AtomicReference<GateSettings> inForce = new AtomicReference<>(before);
        EmbeddedChannel first = channelFrom(STRANGER_IP, inForce::get, verifier, limiter, Metrics.inMemory());
        EmbeddedChannel second = channelFrom(STRANGER_IP, inForce::get, verifier, limiter, Metrics.inMemory());

        first.writeInbound(get("/assets/app.js.map", "Authorization", basic("alice:alice-pw")),
                LastHttpContent.EMPTY_LAST_CONTENT);
        inForce.set(after);
        second.writeInbound(get("/assets/app.js.map", "Authorization", basic("alice:alice-pw")),
                LastHttpContent.EMPTY_LAST_CONTENT);
        verifier.runOnVerifierThread();
        first.runPendingTasks();
        second.runPendingTasks();

        assertThat(decisionOn(first)).as("judged by the config it arrived under").isEqualTo(Decision.allow("alice"));
        first.readInbound();
        first.readInbound();
        assertThat(decisionOn(second)).as("not alice's old allow").isEqualTo(Decision.deny(DenyReason.THROTTLED, null));
        assertThat(readDenial(second).status()).isEqualTo(429);
        assertNothingForwarded(second);
    }

    /**
     * Two sites, each with its own Basic users: alice opens site a's maps only. While her check for
     * a map of site a is queued, the same credential from the same address asks for a map of site b.
     * That request is judged by site b, so it must not take the check of site a's "allow": it waits
     * its turn (429), and site b's map is not forwarded.
     */
    @Test
    void aRequestForAnotherSiteNeverSharesTheCheckOfTheSameCredentialInFlight() throws InterruptedException {
        HeldExecutor verifier = new HeldExecutor();
        GuessLimiter limiter = new GuessLimiter(new FailureThrottle(64));
        PathGlobs maps = PathGlobs.compile(List.of("**/*.map"));
        GatePolicy own = new GatePolicy(maps, EnumSet.of(Check.CREDENTIAL), CidrSet.parse(List.of(SENTRY_IP)),
                new Credentials(List.of(), List.of()));
        Site siteA = new Site("a", SiteScope.of(List.of(), List.of("/a/")), new GatePolicy("a", maps,
                EnumSet.of(Check.CREDENTIAL), CidrSet.parse(List.of(SENTRY_IP)),
                new Credentials(List.of(), List.of(new BasicUser("alice", ALICE_HASH)))), 404);
        Site siteB = new Site("b", SiteScope.of(List.of(), List.of("/b/")), new GatePolicy("b", maps,
                EnumSet.of(Check.CREDENTIAL), CidrSet.parse(List.of(SENTRY_IP)),
                new Credentials(List.of(), List.of(new BasicUser("bob", BOB_HASH)))), 404);
        GateSettings gate = new GateSettings(own, TOKEN_HEADER, "sourcemaps", 404, false, THROTTLE, true, List.of(),
                new Sites(Site.unnamed(own, 404), List.of(siteA, siteB)));
        EmbeddedChannel first = channelFrom(STRANGER_IP, () -> gate, verifier, limiter, Metrics.inMemory());
        EmbeddedChannel second = channelFrom(STRANGER_IP, () -> gate, verifier, limiter, Metrics.inMemory());

        first.writeInbound(get("/a/app.js.map", "Authorization", basic("alice:alice-pw")),
                LastHttpContent.EMPTY_LAST_CONTENT);
        second.writeInbound(get("/b/app.js.map", "Authorization", basic("alice:alice-pw")),
                LastHttpContent.EMPTY_LAST_CONTENT);
        verifier.runOnVerifierThread();
        first.runPendingTasks();
        second.runPendingTasks();

        assertThat(decisionOn(first)).as("alice is site a's user").isEqualTo(Decision.allow("alice", "a"));
        first.readInbound();
        first.readInbound();
        assertThat(decisionOn(second)).as("not site a's allow: site b judges this request")
                .isEqualTo(Decision.deny(DenyReason.THROTTLED, null, "b"));
        assertThat(readDenial(second).status()).isEqualTo(429);
        assertNothingForwarded(second);
    }
}
