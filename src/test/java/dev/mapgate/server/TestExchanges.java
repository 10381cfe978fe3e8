package dev.mapgate.server;

import dev.mapgate.gate.RequestTarget;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;

/** Starts an exchange on a channel as the server would once the gate has parsed the target. */
public final class TestExchanges {

    private TestExchanges() {
    }

    public static Exchange begin(Channel channel, HttpRequest request, String canonicalPath) {
        Exchange exchange = new Exchange(request, System.nanoTime());
        exchange.target(new RequestTarget(canonicalPath, canonicalPath, null, null));
        Exchange.begin(channel, exchange);
        return exchange;
    }
}
