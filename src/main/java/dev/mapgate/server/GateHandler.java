package dev.mapgate.server;

import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RequestRules;
import dev.mapgate.exchange.AdmittedRequest;
import dev.mapgate.exchange.Responses;
import dev.mapgate.exchange.Verdict;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.DenyReason;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.GuessLimiter;
import dev.mapgate.gate.Judge;
import dev.mapgate.gate.Presented;
import dev.mapgate.gate.RequestTarget;
import dev.mapgate.gate.Site;
import dev.mapgate.gate.Sites;
import dev.mapgate.gate.ThrottleSettings;
import dev.mapgate.metrics.Metrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
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
import io.netty.util.Attribute;
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
 * {@code verifier} instead of the event loop; messages that arrive meanwhile wait in order. How
 * much guessing an address may do, and what a cool-down refuses, is {@link GuessLimiter}'s to say.
 */
final class GateHandler extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(GateHandler.class);

    private enum State { IDLE, DECIDING, PASSING, DISCARDING }

    private final Supplier<RequestRules> rules;
    private final Executor verifier;
    private final Metrics metrics;
    private final Judge judge;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(2);
    /** The exchange the gate's judgement is recorded in (see {@link Exchange#slot}). */
    private Attribute<Exchange> exchange;
    private State state = State.IDLE;
    private FullHttpResponse pendingResponse;
    /** The rules the request in progress is judged by, taken when its head arrived. */
    private RequestRules snapshot;
    /** {@code snapshot.gate()}. */
    private GateSettings gate;
    /** The site of {@link #gate} that judges the request in progress; the gate's own until one is chosen. */
    private Site site;
    /** The request's client address and canonical target, once known; for the judgement it records. */
    private ClientAddress client;
    private RequestTarget target;

    /**
     * @param rules    the current config's rules; asked once per request, so a reload applies to the next one
     * @param guesses  failed credentials and bcrypt checks per address; one for the whole server
     */
    GateHandler(Supplier<RequestRules> rules, Executor verifier, Metrics metrics, GuessLimiter guesses) {
        this.rules = rules;
        this.verifier = verifier;
        this.metrics = metrics;
        this.judge = new Judge(guesses);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        exchange = Exchange.slot(ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            onRequest(ctx, request);
            return;
        }
        switch (state) {
            // Behind what still waits from the check, if anything does: order is the request's.
            case PASSING -> {
                if (waiting.isEmpty()) {
                    ctx.fireChannelRead(msg);
                } else {
                    waiting.add(msg);
                }
            }
            case DECIDING -> waiting.add(msg);
            default -> discard(ctx, msg);
        }
    }

    /**
     * What arrived during a slow check is handed on one message per read, as the decoder's demand
     * would have: the handler behind asks for the body a part at a time, and a read must never
     * pass over parts still held here to reach the next pipelined request.
     */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (state == State.PASSING && !waiting.isEmpty()) {
            ctx.fireChannelRead(waiting.poll());
            return;
        }
        ctx.read();
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        snapshot = rules.get();
        gate = snapshot.gate();
        site = gate.sites().unnamed();
        client = null;
        target = null;
        if (request.decoderResult().isFailure()) {
            // The class only: the decoder's message may quote a header value the client sent.
            LOG.debug("event=bad-request peer={} cause={}", ctx.channel().remoteAddress(),
                    request.decoderResult().cause().getClass().getSimpleName());
            reject(ctx, request, statusFor(request.decoderResult().cause()));
            return;
        }
        // Before the target is parsed, so that the access log names the client of a bad target too.
        client = clientAddress(ctx, request.headers(), snapshot.clientIp());
        try {
            target = RequestTarget.parse(request.uri(), snapshot.hosts());
        } catch (RequestTarget.BadTargetException e) {
            LOG.debug("event=bad-target peer={} problem=\"{}\"", ctx.channel().remoteAddress(), e.getMessage());
            reject(ctx, request, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        if (target.authority() != null) {
            // RFC 9112 section 3.2.2: the host in an absolute-form target replaces Host.
            request.headers().set(HttpHeaderNames.HOST, target.authority().toString());
        }
        HttpHeaders headers = request.headers();
        Site judging = gate.sites().select(hostForSites(headers, gate.sites()), target.path());
        if (judging == null) {
            // A site covers only some hosts, and this request names none that can be read: which
            // site's credentials apply is unknowable, so no site's are tried (RFC 9112 section 3.2
            // answers a missing, repeated or invalid Host with 400 anyway).
            LOG.debug("event=bad-host peer={}", ctx.channel().remoteAddress());
            reject(ctx, request, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        site = judging;
        Presented presented = presented(headers, gate.tokenHeader());
        Judge.Step step = judge.first(site.policy(), gate.throttle(), target.path(), client, presented);
        if (step instanceof Judge.Throttled throttled) {
            throttled(ctx, request, throttled.retryAfterSeconds());
        } else if (step instanceof Judge.CheckSlowly slowly) {
            decideSlowly(ctx, request, target.path(), client, presented, slowly.limited());
        } else if (step instanceof Judge.Decided decided) {
            if (decided.coolDownStarted()) {
                coolDownStarted(client.address(), gate.throttle());
            }
            apply(ctx, request, decided.decision());
        }
    }

    /**
     * The Host the sites are chosen by: {@code null} when none is needed (no site lists hosts),
     * and also when it is missing or repeated, which {@link Sites#select} then refuses. After an
     * absolute-form target, this is its authority, which replaced the header.
     */
    private static String hostForSites(HttpHeaders headers, Sites sites) {
        if (!sites.needsHost()) {
            return null;
        }
        String host = headers.get(HttpHeaderNames.HOST);
        return host == null || occursMoreThanOnce(headers, HttpHeaderNames.HOST) ? null : host;
    }

    /** The credentials as the gate reads them; the common request has each header once or not at all. */
    private static Presented presented(HttpHeaders headers, String tokenHeader) {
        String token = headers.get(tokenHeader);
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (token == null && authorization == null) {
            return Presented.NOTHING;
        }
        return Presented.of(token, token != null && occursMoreThanOnce(headers, tokenHeader),
                authorization, authorization != null && occursMoreThanOnce(headers, HttpHeaderNames.AUTHORIZATION));
    }

    /**
     * bcrypt, off the event loop. From an address that guessing is limited for, the check must
     * first be admitted ({@link GuessLimiter}): it runs, shares the result of the same credential's
     * check in flight, or is refused with 429 because the address already has one. Its failure is
     * counted before the address is free for its next check, so checks in flight cannot overrun
     * the limit. Messages that arrive meanwhile wait in order.
     */
    private void decideSlowly(ChannelHandlerContext ctx, HttpRequest request, String path, ClientAddress client,
                              Presented presented, boolean limited) {
        // The verifier thread reads these, never the fields a later request may replace.
        GateSettings judgedBy = gate;
        GatePolicy policy = site.policy();
        if (!limited) {
            submit(ctx, request, null, policy, () -> Judge.decide(policy, path, client, presented));
            return;
        }
        // Shared only under the same policy: one per site and config version, so that a check for
        // one site's map, or under the config before a reload, never answers for another.
        GuessLimiter.Admission admission = judge.guesses().admit(client.address(), presented.token(),
                presented.authorization(), policy);
        if (admission instanceof GuessLimiter.Shared shared) {
            metrics.passwordCheck("shared");
            state = State.DECIDING;
            shared.result().thenAcceptAsync(decision -> apply(ctx, request, decision), ctx.executor());
            return;
        }
        if (!(admission instanceof GuessLimiter.Check check)) {
            metrics.passwordCheck("busy");
            throttled(ctx, request, 1);
            return;
        }
        try {
            // The check that held the slot may have started a cool-down after this request's
            // first look at the table and before its admission.
            long retryAfter = judge.coolDownSeconds(policy, judgedBy.throttle(), client.address(), presented);
            if (retryAfter > 0) {
                check.finish(policy.deny(DenyReason.THROTTLED));
                throttled(ctx, request, retryAfter);
                return;
            }
            metrics.passwordCheck("checked");
            submit(ctx, request, check, policy, () -> {
                Decision decision = policy.deny(DenyReason.ERROR);
                long started = System.nanoTime();
                try {
                    if (!ctx.channel().isActive() && !check.isShared()) {
                        // Its client left while it queued: a run would only delay the logins behind it.
                        return decision;
                    }
                    decision = Judge.decide(policy, path, client, presented);
                    if (judge.countFailure(policy, judgedBy.throttle(), decision, client.address(), presented)) {
                        coolDownStarted(client.address(), judgedBy.throttle());
                    }
                } finally {
                    check.finish(decision);
                    metrics.passwordCheckTime(System.nanoTime() - started);
                }
                return decision;
            });
        } catch (Throwable t) {
            // Whatever failed, the address must not stay busy for good.
            check.finish(policy.deny(DenyReason.ERROR));
            throw t;
        }
    }

    /**
     * @param check  the admitted check that {@code decide} finishes, or {@code null}
     * @param policy the policy {@code decide} asks, whose site a failure is denied in
     */
    private void submit(ChannelHandlerContext ctx, HttpRequest request, GuessLimiter.Check check, GatePolicy policy,
                        Supplier<Decision> decide) {
        state = State.DECIDING;
        try {
            CompletableFuture.supplyAsync(decide, verifier)
                    .exceptionally(e -> policy.deny(DenyReason.ERROR))
                    .thenAcceptAsync(decision -> apply(ctx, request, decision), ctx.executor());
        } catch (RejectedExecutionException e) {
            // Every verifier is busy: fail closed rather than queue without bound.
            Decision error = policy.deny(DenyReason.ERROR);
            if (check != null) {
                check.finish(error);
            }
            apply(ctx, request, error);
        }
    }

    /** Without collecting the values: the common request has the header once or not at all. */
    private static boolean occursMoreThanOnce(HttpHeaders headers, CharSequence name) {
        Iterator<String> values = headers.valueStringIterator(name);
        if (values.hasNext()) {
            values.next();
        }
        return values.hasNext();
    }

    private void apply(ChannelHandlerContext ctx, HttpRequest request, Decision decision) {
        if (!ctx.channel().isActive()) {
            releaseWaiting();
            return;
        }
        exchange.get().judged(new Judgement(snapshot, client, target, decision));
        // The decision names its site: after a slow check, the site field may be a later request's.
        Site judgedBy = gate.site(decision.site());
        if (judgedBy.policy().isCredentialDrift(decision, client)) {
            metrics.credentialDrift(decision.site() == null ? Metrics.NONE : decision.site());
        }
        if (decision.allowed()) {
            // The origin never needs Sentry's secret, and must not be able to log it.
            request.headers().remove(gate.tokenHeader()).remove(HttpHeaderNames.AUTHORIZATION);
            state = State.PASSING;
            if (request instanceof HttpContent content) {
                // A head with its content (never from the decoder, which streams): the content
                // waits as the request's end, since AdmittedRequest carries none.
                waiting.addFirst(new DefaultLastHttpContent(content.content()));
            }
            ctx.fireChannelRead(new AdmittedRequest(request, new Verdict(snapshot, client, target, decision)));
            return;
        }
        respondAndDiscard(ctx, request,
                Responses.denial(ctx.alloc(), gate, judgedBy, HttpMethod.HEAD.equals(request.method())));
    }

    /** Called on the event loop or a verifier thread, so it reads nothing but its arguments. */
    private void coolDownStarted(InetAddress address, ThrottleSettings limits) {
        LOG.debug("event=throttle-started client={} cool_down={}", address.getHostAddress(), limits.coolDown());
        metrics.throttleStarted();
    }

    /**
     * Answers 429 to a guess in a cool-down, or one that found its address's bcrypt check busy,
     * without running bcrypt. It is decided before the origin is asked, so it says nothing about the file; it is
     * recorded as a gated denial, so the access log and meters show reason=throttled and
     * GatedResponseHeaders keeps it out of shared caches like any other denial.
     */
    private void throttled(ChannelHandlerContext ctx, HttpRequest request, long retryAfterSeconds) {
        exchange.get().judged(new Judgement(snapshot, client, target, site.policy().deny(DenyReason.THROTTLED)));
        FullHttpResponse denial = Responses.plain(ctx.alloc(), HttpResponseStatus.TOO_MANY_REQUESTS,
                HttpMethod.HEAD.equals(request.method()));
        denial.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        respondAndDiscard(ctx, request, denial);
    }

    private void reject(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status) {
        exchange.get().judged(new Judgement(snapshot, client, null, null));
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
