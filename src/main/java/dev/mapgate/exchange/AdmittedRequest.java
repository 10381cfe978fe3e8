package dev.mapgate.exchange;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A request head the gate let through, carrying its {@link Verdict}. It is what the handlers
 * behind the gate receive in place of the decoded head, so the origin side reads the verdict from
 * the message itself rather than from state another handler set on the channel; a plain
 * {@link HttpRequest} arriving there was never judged, and is refused.
 *
 * <p>It shares the decoded head's headers rather than copying them. It is still an
 * {@link HttpRequest}, so that Netty's handlers in between (the {@code Expect: 100-continue}
 * answer) treat it as one.
 */
public final class AdmittedRequest extends DefaultHttpRequest {

    private final Verdict verdict;

    /** @param head a decoded request head without content (no aggregator runs on the client side) */
    public AdmittedRequest(HttpRequest head, Verdict verdict) {
        super(head.protocolVersion(), head.method(), head.uri(), head.headers());
        this.verdict = verdict;
    }

    public Verdict verdict() {
        return verdict;
    }
}
