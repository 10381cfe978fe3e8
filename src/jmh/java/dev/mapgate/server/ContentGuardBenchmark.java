package dev.mapgate.server;

import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RequestRules;
import dev.mapgate.exchange.AdmittedRequest;
import dev.mapgate.exchange.Verdict;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.RequestTarget;
import dev.mapgate.gate.ThrottleSettings;
import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.Check;
import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.Token;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the content guard adds to one response on an ungated path: the benchmark's small JS
 * asset (head, then its 1,427-byte body as the last content), written through the guard with
 * gate.content-guard on and off. The difference of the two is the guard's cost per response.
 *
 * <pre>mvn -B -Pjmh -DskipTests package && java -jar target/benchmarks.jar ContentGuardBenchmark -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ContentGuardBenchmark {

    @Param({"on", "off"})
    public String guard;

    private EmbeddedChannel channel;
    private ByteBuf body;

    @Setup
    public void setUp() {
        channel = new EmbeddedChannel(new ContentGuard());
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/app.js");
        Exchange.slot(channel).set(new Exchange(request, 0));
        GatePolicy policy = new GatePolicy(PathGlobs.compile(List.of("**/*.map")), EnumSet.of(Check.CREDENTIAL),
                CidrSet.parse(List.of()), new Credentials(List.of(new Token("bench", "bench-token-0123456789")), List.of()));
        ThrottleSettings throttle = new ThrottleSettings(true, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), 1000);
        RequestRules rules = new RequestRules(new GateSettings(policy, "X-Sentry-Token", "maps", 404, false, throttle,
                guard.equals("on")), AcceptedHosts.NONE, ClientAddressResolver.peerOnly());
        // The guard reads the verdict from the admitted request, as behind the gate.
        channel.writeInbound(new AdmittedRequest(request, new Verdict(rules,
                ClientAddress.untrustedPeer(InetAddress.getLoopbackAddress()),
                new RequestTarget("/app.js", "/app.js", null, null), Decision.pass())));
        channel.readInbound();
        StringBuilder js = new StringBuilder("\"use strict\";\n");
        while (js.length() < 1380) {
            js.append("function r(e,t){return e.reduce(function(n,a){return n+t(a)},0)}");
        }
        js.setLength(1380);
        js.append("\n//# sourceMappingURL=app.js.map\n");
        body = Unpooled.directBuffer().writeBytes(js.toString().getBytes(StandardCharsets.US_ASCII));
    }

    @TearDown
    public void tearDown() {
        body.release();
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public Object smallJsResponse() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/javascript")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        channel.write(head);
        channel.writeAndFlush(new DefaultLastHttpContent(body.retainedDuplicate()));
        Object first = channel.readOutbound();
        ReferenceCountUtil.release(channel.readOutbound());
        return first;
    }
}
