package dev.mapgate.exchange;

import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RequestRules;
import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.Check;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.RequestTarget;
import dev.mapgate.gate.ThrottleSettings;
import dev.mapgate.gate.Token;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

/** Requests as the gate lets them through, for tests of the handlers behind it. */
public final class Admissions {

    /** The rules of a default config: maps gated by a token, the peer's own address believed. */
    public static final RequestRules RULES = new RequestRules(
            new GateSettings(new GatePolicy(PathGlobs.compile(List.of("**/*.map")), EnumSet.of(Check.CREDENTIAL),
                    CidrSet.parse(List.of()), new Credentials(List.of(new Token("t", "admissions-test-token-0123456789")),
                    List.of())), "X-Sentry-Token", "maps", 404, false,
                    new ThrottleSettings(true, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), 1000), true),
            AcceptedHosts.NONE, ClientAddressResolver.peerOnly());

    private static final ClientAddress LOOPBACK = ClientAddress.untrustedPeer(InetAddress.getLoopbackAddress());

    private Admissions() {
    }

    /** {@code head} admitted as an asset outside the gate, its target already canonical. */
    public static AdmittedRequest admit(HttpRequest head, String canonicalPath) {
        return admit(head, canonicalPath, LOOPBACK);
    }

    public static AdmittedRequest admit(HttpRequest head, String canonicalPath, ClientAddress client) {
        return new AdmittedRequest(head, new Verdict(RULES, client,
                new RequestTarget(canonicalPath, canonicalPath, null, null), Decision.pass()));
    }

    /** Stands in for the gate in a pipeline: admits every request head under its own path. */
    @ChannelHandler.Sharable
    public static final class AdmitAll extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest head && !(msg instanceof AdmittedRequest)) {
                String path = head.uri();
                int query = path.indexOf('?');
                ctx.fireChannelRead(admit(head, query < 0 ? path : path.substring(0, query)));
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
