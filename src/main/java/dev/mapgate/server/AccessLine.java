package dev.mapgate.server;

import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.RequestTarget;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * What the access log says about one finished exchange, copied on the event loop as immutable
 * values so that the writer thread formats it later without touching the channel or the exchange.
 * Nothing is formatted here: the event loop only copies references and two numbers.
 *
 * @param client   the address the gate judged by, or null before the gate looked
 * @param connectionPeer when {@code client} is null: a trusted PROXY header's source, else null
 * @param tcpPeer  the TCP peer
 * @param target   the canonical target, or null for a request refused before it was read
 * @param decision the gate's decision, or null before the gate looked
 * @param micros   from the request's first byte to the end of the exchange
 */
record AccessLine(ClientAddress client, InetSocketAddress connectionPeer, SocketAddress tcpPeer, HttpMethod method,
                  RequestTarget target, int status, long bytesOut, long bytesIn, long micros,
                  Decision decision, boolean completed, String userAgent) {

    static AccessLine of(Channel channel, Exchange exchange, boolean completed) {
        ClientAddress client = exchange.client();
        return new AccessLine(client, client == null ? ConnectionPeer.of(channel) : null, channel.remoteAddress(),
                exchange.method(),
                exchange.target(), exchange.status(), exchange.bodyBytesOut(), exchange.bodyBytesIn(),
                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - exchange.startNanos()),
                exchange.decision(), completed, exchange.userAgent());
    }
}
