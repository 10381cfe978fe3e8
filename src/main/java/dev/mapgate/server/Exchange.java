package dev.mapgate.server;

import dev.mapgate.config.RequestRules;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.RequestTarget;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;

/**
 * What is known about the request/response exchange currently in progress on a client
 * connection. One exchange at a time per connection: requests are pulled one by one, so the
 * attribute always names the request whose response is being written.
 *
 * <p>Not thread-safe, and needs not be: it is only touched from the connection's event loop.
 */
public final class Exchange {

    private static final AttributeKey<Exchange> KEY = AttributeKey.valueOf(Exchange.class, "exchange");

    private final long startNanos;
    private final HttpMethod method;
    private final HttpVersion version;
    private final String userAgent;
    private final boolean keepAliveRequested;

    /** Set once, by the gate; {@code null} until it has answered the request or let it through. */
    private Judgement judgement;
    /** The content guard refused the response: it went out as a denial. */
    private boolean contentRefused;
    private int status;
    private long bodyBytesOut;
    private long bodyBytesIn;

    Exchange(HttpRequest request, long startNanos) {
        this.startNanos = startNanos;
        this.method = request.method();
        this.version = request.protocolVersion();
        this.userAgent = request.headers().get("User-Agent");
        this.keepAliveRequested = HttpUtil.isKeepAlive(request);
    }

    /**
     * The connection's slot for its exchange. Handlers that read it on every request keep the slot
     * from {@code handlerAdded} on, rather than search the channel's attributes each time.
     */
    static Attribute<Exchange> slot(Channel channel) {
        return channel.attr(KEY);
    }

    /** The exchange in progress on {@code channel}, or {@code null} between requests. */
    public static Exchange current(Channel channel) {
        return channel.attr(KEY).get();
    }

    public long startNanos() {
        return startNanos;
    }

    public HttpMethod method() {
        return method;
    }

    public HttpVersion version() {
        return version;
    }

    public String userAgent() {
        return userAgent;
    }

    public boolean keepAliveRequested() {
        return keepAliveRequested;
    }

    /**
     * Records what the gate made of the request. Once only: every handler after the gate, and the
     * access log, must see the same judgement.
     */
    void judged(Judgement judgement) {
        if (this.judgement != null) {
            throw new IllegalStateException("the request was judged already");
        }
        this.judgement = judgement;
    }

    /** The client address the gate judged the request by; {@code null} when the request was rejected first. */
    public ClientAddress client() {
        return judgement == null ? null : judgement.client();
    }

    /** The canonical target; {@code null} when the target was rejected. */
    public RequestTarget target() {
        return judgement == null ? null : judgement.target();
    }

    /**
     * The gate's decision, or the content guard's refusal of what the origin sent; {@code null}
     * until the gate has decided, and for a request rejected as malformed.
     */
    public Decision decision() {
        if (contentRefused) {
            Decision judged = judgement == null ? null : judgement.decision();
            return Decision.refusedContent(judged == null ? null : judged.site());
        }
        return judgement == null ? null : judgement.decision();
    }

    /** The content guard found a map on an ungated path and answered with the denial instead. */
    void contentRefused() {
        this.contentRefused = true;
    }

    public int status() {
        return status;
    }

    void status(int status) {
        this.status = status;
    }

    public long bodyBytesOut() {
        return bodyBytesOut;
    }

    void addBodyBytesOut(long bytes) {
        this.bodyBytesOut += bytes;
    }

    /** Request body bytes received so far. */
    public long bodyBytesIn() {
        return bodyBytesIn;
    }

    void addBodyBytesIn(long bytes) {
        this.bodyBytesIn += bytes;
    }

    /** The config snapshot this request was judged by; {@code null} until the gate has answered it or let it through. */
    public RequestRules rules() {
        return judgement == null ? null : judgement.rules();
    }
}
