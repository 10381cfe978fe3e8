package dev.mapgate.server;

import dev.mapgate.gate.Decision;
import dev.mapgate.gate.RequestTarget;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;

/** Starts an exchange on a channel as the server would once the gate has parsed the target. */
public final class TestExchanges {

    private TestExchanges() {
    }

    /** @param decision the gate's decision, or {@code null} for none yet */
    public static Exchange begin(Channel channel, HttpRequest request, String canonicalPath, Decision decision) {
        Exchange exchange = new Exchange(request, System.nanoTime());
        exchange.judged(new Judgement(null, null, new RequestTarget(canonicalPath, canonicalPath, null, null), decision));
        Exchange.slot(channel).set(exchange);
        return exchange;
    }
}
