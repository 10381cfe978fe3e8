package dev.mapgate.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLSession;

/**
 * A TLS handshake between mapgate's server handler and a client, on two {@link EmbeddedChannel}s
 * whose bytes are handed across by hand: proof that a provider can sign with the loaded key,
 * without sockets.
 */
final class InMemoryHandshake {

    private InMemoryHandshake() {
    }

    /**
     * @return the client's view of the session: the certificates and protocol it got
     * @throws AssertionError when either side's handshake fails or does not finish
     */
    static SSLSession run(SslHandler server, SslContext client) {
        SslHandler clientHandler = client.newHandler(ByteBufAllocator.DEFAULT, "localhost", 8443);
        EmbeddedChannel serverChannel = new EmbeddedChannel(server);
        EmbeddedChannel clientChannel = new EmbeddedChannel(clientHandler);
        try {
            // TLS 1.3 needs two flights each way, TLS 1.2 three; ten rounds is plenty either way.
            for (int round = 0; round < 10 && !clientHandler.handshakeFuture().isDone(); round++) {
                handOver(clientChannel, serverChannel);
                handOver(serverChannel, clientChannel);
            }
            if (!clientHandler.handshakeFuture().isSuccess()) {
                throw new AssertionError("the handshake did not complete", clientHandler.handshakeFuture().cause());
            }
            return clientHandler.engine().getSession();
        } finally {
            clientChannel.finishAndReleaseAll();
            serverChannel.finishAndReleaseAll();
        }
    }

    /** Moves every record one side wrote into the other; the receiving channel takes ownership. */
    private static void handOver(EmbeddedChannel from, EmbeddedChannel to) {
        for (Object record = from.readOutbound(); record != null; record = from.readOutbound()) {
            try {
                to.writeInbound(record);
            } catch (RuntimeException failedHandshake) {
                // EmbeddedChannel rethrows the handler's error; the handshake future holds it too.
                return;
            }
        }
    }
}
