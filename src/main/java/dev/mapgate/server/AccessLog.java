package dev.mapgate.server;

import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.RequestTarget;
import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on its own logger, {@code mapgate.access}, so operators can route or mute
 * it in logback.xml. It carries names, never secrets: the credential column is the configured
 * name of the token or user that matched.
 */
final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("mapgate.access");

    private AccessLog() {
    }

    static void log(Channel channel, Exchange exchange, boolean completed) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        Decision decision = exchange.decision();
        RequestTarget target = exchange.target();
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - exchange.startNanos());
        StringBuilder line = new StringBuilder(208)
                .append("client=").append(client(exchange.client(), channel))
                .append(" peer=").append(address(channel.remoteAddress()))
                .append(" method=").append(exchange.method().name())
                .append(" path=").append(target == null ? "-" : target.encodedPath())
                .append(" status=").append(exchange.status())
                .append(" bytes=").append(exchange.bodyBytesOut())
                .append(" duration_ms=").append(micros / 1000).append('.').append(micros / 100 % 10)
                .append(" route=").append(decision == null ? "-" : decision.route().label())
                .append(" decision=").append(decision == null ? "-" : decision.allowed() ? "allowed" : "denied")
                .append(" reason=").append(decision == null || decision.reason() == null ? "-" : decision.reason().label())
                .append(" credential=").append(printable(decision == null ? null : decision.credentialName()))
                .append(" completed=").append(completed)
                .append(" ua=\"").append(printable(exchange.userAgent())).append('"');
        LOG.info(line.toString());
    }

    /**
     * The address the gate judged the request by; before the gate has looked (a request the codec
     * refused), the connection's peer (a trusted PROXY header's source, else the TCP peer); "-"
     * when a trusted proxy's report was unreadable.
     */
    private static String client(ClientAddress client, Channel channel) {
        if (client == null) {
            InetSocketAddress peer = ConnectionPeer.of(channel);
            return address(peer != null ? peer : channel.remoteAddress());
        }
        return client.address() == null ? "-" : NetUtil.toAddressString(client.address());
    }

    private static String address(SocketAddress peer) {
        return peer instanceof InetSocketAddress inet && inet.getAddress() != null
                ? NetUtil.toAddressString(inet.getAddress()) : String.valueOf(peer);
    }

    /** Keeps a client-chosen string from forging log lines or fields. */
    private static String printable(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), 256));
        for (int i = 0; i < s.length() && i < 256; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '?' : c);
        }
        return out.toString();
    }
}
