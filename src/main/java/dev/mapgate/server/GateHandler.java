package dev.mapgate.server;

import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RequestRules;
import dev.mapgate.config.ThrottleSettings;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.DenyReason;
import dev.mapgate.gate.FailureThrottle;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.RequestTarget;
import dev.mapgate.gate.Route;
import dev.mapgate.metrics.Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts the {@link GatePolicy} to the pipeline: parses the request-target into its canonical
 * form, asks the policy, and either passes the request on (without its credentials) or answers
 * it with the configured denial.
 *
 * <p>bcrypt is slow by design, so a Basic credential that is not cached yet is checked on
 * {@code verifier} instead of the event loop; messages that arrive meanwhile wait in order.
 */
final class GateHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(GateHandler.class);

    private enum State { IDLE, DECIDING, PASSING, DISCARDING }

    private final Supplier<RequestRules> rules;
    private final Executor verifier;
    private final Metrics metrics;
    private final FailureThrottle throttle;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(2);
    private State state = State.IDLE;
    private FullHttpResponse pendingResponse;
    /** The rules the request in progress is judged by, taken when its head arrived. */
    private GateSettings gate;

    /**
     * @param rules    the current config's rules; asked once per request, so a reload applies to the next one
     * @param throttle failed credentials per address; one for the whole server
     */
    GateHandler(Supplier<RequestRules> rules, Executor verifier, Metrics metrics, FailureThrottle throttle) {
        this.rules = rules;
        this.verifier = verifier;
        this.metrics = metrics;
        this.throttle = throttle;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            onRequest(ctx, request);
            return;
        }
        switch (state) {
            case PASSING -> ctx.fireChannelRead(msg);
            case DECIDING -> waiting.add(msg);
            default -> discard(ctx, msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        Exchange exchange = Exchange.current(ctx.channel());
        RequestRules snapshot = rules.get();
        exchange.rules(snapshot);
        gate = snapshot.gate();
        if (request.decoderResult().isFailure()) {
            // The class only: the decoder's message may quote a header value the client sent.
            LOG.debug("event=bad-request peer={} cause={}", ctx.channel().remoteAddress(),
                    request.decoderResult().cause().getClass().getSimpleName());
            reject(ctx, request, statusFor(request.decoderResult().cause()));
            return;
        }
        // Before the target is parsed, so that the access log names the client of a bad target too.
        ClientAddress client = clientAddress(ctx, request.headers(), snapshot.clientIp());
        exchange.client(client);
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.uri(), snapshot.hosts());
        } catch (RequestTarget.BadTargetException e) {
            LOG.debug("event=bad-target peer={} problem=\"{}\"", ctx.channel().remoteAddress(), e.getMessage());
            reject(ctx, request, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        exchange.target(target);
        if (target.authority() != null) {
            // RFC 9112 section 3.2.2: the host in an absolute-form target replaces Host.
            request.headers().set(HttpHeaderNames.HOST, target.authority().toString());
        }
        long retryAfter = coolDownLeft(client, target);
        if (retryAfter > 0) {
            throttled(ctx, request, retryAfter);
            return;
        }

        HttpHeaders headers = request.headers();
        GatePolicy policy = gate.policy();
        String presentedToken = headers.get(gate.tokenHeader());
        String presentedAuthorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        // Two token headers, or two Authorization headers (it holds one credential, RFC 9110
        // 11.6.2), are ambiguous: no well-formed client sends them, and a server in front may
        // have read the other one. Neither of the two counts.
        boolean twoTokens = presentedToken != null && occursMoreThanOnce(headers, gate.tokenHeader());
        boolean twoAuthorizations = presentedAuthorization != null
                && occursMoreThanOnce(headers, HttpHeaderNames.AUTHORIZATION);
        boolean ambiguousToken = twoTokens || twoAuthorizations;
        String token = twoTokens ? "" : presentedToken;
        String authorization = twoAuthorizations ? "" : presentedAuthorization;

        // isSlow first: it is cheap and almost always false, which spares a second glob match.
        if (policy.isSlow(token, authorization) && policy.route(target.path()) == Route.GATED) {
            state = State.DECIDING;
            try {
                CompletableFuture
                        .supplyAsync(() -> ambiguity(ambiguousToken,
                                policy.decide(target.path(), client, token, authorization)), verifier)
                        .exceptionally(e -> Decision.deny(DenyReason.ERROR, null))
                        .thenAcceptAsync(decision -> apply(ctx, request, decision), ctx.executor());
            } catch (RejectedExecutionException e) {
                // Every verifier is busy: fail closed rather than queue without bound.
                apply(ctx, request, Decision.deny(DenyReason.ERROR, null));
            }
            return;
        }
        apply(ctx, request, ambiguity(ambiguousToken, policy.decide(target.path(), client, token, authorization)));
    }

    /** Without collecting the values: the common request has the header once or not at all. */
    private static boolean occursMoreThanOnce(HttpHeaders headers, CharSequence name) {
        Iterator<String> values = headers.valueStringIterator(name);
        if (values.hasNext()) {
            values.next();
        }
        return values.hasNext();
    }

    /**
     * Two token or Authorization headers were set aside, but the client did send a credential:
     * the log must say it was unusable, not that it was missing.
     */
    private static Decision ambiguity(boolean ambiguousToken, Decision decision) {
        return ambiguousToken && decision.reason() == DenyReason.NO_CREDENTIAL
                ? Decision.deny(DenyReason.BAD_CREDENTIAL, null) : decision;
    }

    private void apply(ChannelHandlerContext ctx, HttpRequest request, Decision decision) {
        if (!ctx.channel().isActive()) {
            releaseWaiting();
            return;
        }
        Exchange exchange = Exchange.current(ctx.channel());
        exchange.decision(decision);
        if (gate.policy().isCredentialDrift(decision, exchange.client())) {
            metrics.credentialDrift();
        }
        if (decision.allowed()) {
            // The origin never needs Sentry's secret, and must not be able to log it.
            request.headers().remove(gate.tokenHeader()).remove(HttpHeaderNames.AUTHORIZATION);
            state = State.PASSING;
            ctx.fireChannelRead(request);
            Object next;
            while ((next = waiting.poll()) != null) {
                ctx.fireChannelRead(next);
            }
            return;
        }
        if (decision.reason() == DenyReason.BAD_CREDENTIAL) {
            countFailure(exchange.client());
        }
        respondAndDiscard(ctx, request, Responses.denial(ctx.alloc(), gate, HttpMethod.HEAD.equals(request.method())));
    }

    /** Seconds until the client's cool-down ends when it is in one and the path is gated; else 0. */
    private long coolDownLeft(ClientAddress client, RequestTarget target) {
        if (!gate.throttle().enabled() || !gate.policy().mayThrottle(client.address())) {
            return 0;
        }
        // The table first: almost always a miss, and cheaper than matching the path's globs.
        long seconds = throttle.blockedForSeconds(client.address());
        return seconds > 0 && gate.policy().route(target.path()) == Route.GATED ? seconds : 0;
    }

    /**
     * Only a credential that was tried and failed counts: not a missing one (someone opening a
     * map is not guessing), nor one the ip check refused before trying it.
     */
    private void countFailure(ClientAddress client) {
        ThrottleSettings limits = gate.throttle();
        if (limits.enabled() && gate.policy().mayThrottle(client.address())
                && throttle.recordFailure(client.address(), limits)) {
            LOG.debug("event=throttle-started client={} cool_down={}", client.address().getHostAddress(),
                    limits.coolDown());
            metrics.throttleStarted();
        }
    }

    /**
     * Answers 429 without checking the credential, so that guessing on costs no bcrypt run
     * either. It is decided before the origin is asked, so it says nothing about the file; it is
     * recorded as a gated denial, so the access log and meters show reason=throttled and
     * GatedResponseHeaders keeps it out of shared caches like any other denial.
     */
    private void throttled(ChannelHandlerContext ctx, HttpRequest request, long retryAfterSeconds) {
        Exchange.current(ctx.channel()).decision(Decision.deny(DenyReason.THROTTLED, null));
        FullHttpResponse denial = Responses.plain(ctx.alloc(), HttpResponseStatus.TOO_MANY_REQUESTS,
                HttpMethod.HEAD.equals(request.method()));
        denial.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        respondAndDiscard(ctx, request, denial);
    }

    private void reject(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status) {
        FullHttpResponse response = Responses.plain(ctx.alloc(), status, false);
        // After a parse failure the rest of the stream cannot be trusted to frame requests.
        response.headers().set(HttpHeaderNames.CONNECTION, "close");
        respondAndDiscard(ctx, request, response);
    }

    /**
     * Answers without the origin. A request with a body is answered at once with {@code
     * Connection: close} rather than drained: reading an unwanted body only helps whoever sent it.
     * A request without one is answered once its (empty) end has been pulled, so the exchange is
     * complete and the connection can be kept.
     */
    private void respondAndDiscard(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        state = State.DISCARDING;
        // No aggregator runs, so a request holds no buffer; release in case that ever changes.
        ReferenceCountUtil.release(request);
        // The request's end may have arrived while the verifier was deciding: then there is
        // nothing left to pull, and waiting for it would leave the client without an answer.
        boolean ended = releaseWaiting();
        // A failed request is checked first: its framing headers are what failed, and reading
        // them again (e.g. "Content-Length: 3, 3") would throw.
        if (request.decoderResult().isFailure() || bodyFollows(request)
                || "close".equals(response.headers().get(HttpHeaderNames.CONNECTION))) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response);
            return;
        }
        if (ended) {
            ctx.writeAndFlush(response);
            return;
        }
        pendingResponse = response;
        ctx.read();
    }

    private static boolean bodyFollows(HttpRequest request) {
        return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    }

    private void discard(ChannelHandlerContext ctx, Object msg) {
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (!last) {
            ctx.read();
        } else if (pendingResponse != null) {
            FullHttpResponse response = pendingResponse;
            pendingResponse = null;
            ctx.writeAndFlush(response);
        }
    }

    /** @return whether the request's {@link LastHttpContent} was among the released messages */
    private boolean releaseWaiting() {
        boolean ended = false;
        Object next;
        while ((next = waiting.poll()) != null) {
            ended |= next instanceof LastHttpContent;
            ReferenceCountUtil.release(next);
        }
        return ended;
    }

    private ClientAddress clientAddress(ChannelHandlerContext ctx, HttpHeaders headers, ClientAddressResolver clientIp) {
        InetSocketAddress peer = ConnectionPeer.of(ctx.channel());
        if (ConnectionPeer.isProxiedWithoutSource(ctx.channel())) {
            // The balancer did not say who its client is, and a layer-4 balancer passes the
            // client's own headers on untouched: nothing here may be believed.
            metrics.clientAddressUnknown();
            return ClientAddress.unknown("the PROXY header from " + peer + " named no source address");
        }
        InetAddress address = peer == null ? null : peer.getAddress();
        // The resolver ignores an untrusted peer's header anyway; not collecting it spares the
        // common case (no proxy in front) a list per request.
        ClientAddress client = clientIp.trusts(address)
                ? clientIp.resolve(address, headers.getAll(clientIp.header()))
                : ClientAddress.untrustedPeer(address);
        if (!client.known()) {
            LOG.debug("event=client-address-unknown peer={} problem=\"{}\"", peer, client.problem());
            metrics.clientAddressUnknown();
        }
        return client;
    }

    private static HttpResponseStatus statusFor(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseWaiting();
        ReferenceCountUtil.release(pendingResponse);
        pendingResponse = null;
        ctx.fireChannelInactive();
    }
}
