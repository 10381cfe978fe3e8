package dev.mapgate.bench;

import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.gate.CredentialCheck;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.DenyReason;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.RequestTarget;
import dev.mapgate.gate.Route;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request's decision, as GateHandler takes it once the client address is known: canonicalise
 * the target, ask whether the credentials need bcrypt, then decide (classify, address, token).
 * Then each of those steps alone.
 *
 * <p>The target is consumed as well as the decision because GateHandler keeps both for the access
 * log; otherwise the JIT could drop the target and flatter the allocation figures.
 *
 * <p>Run with {@code mvn -B -Pjmh -DskipTests package && java -jar target/benchmarks.jar -prof gc};
 * {@code gc.alloc.rate.norm} is the garbage per decision in bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class DecisionBenchmark {

    private GatePolicy policy;
    private AcceptedHosts hosts;
    private ClientAddress sentry;
    private ClientAddress stranger;
    private String asset;
    private String map;
    private String escapedMap;
    private String token;
    private String wrongToken;
    private String assetPath;
    private String mapPath;
    private CidrSet allowIps;
    private InetAddress sentryAddress;
    private ClientAddressResolver behindBalancer;
    private InetAddress balancer;
    private List<String> forwardedFor;

    @Setup
    public void setUp() {
        policy = GateFixture.policy();
        hosts = AcceptedHosts.of(List.of("maps.example.com"));
        sentry = ClientAddress.untrustedPeer(GateFixture.SENTRY);
        stranger = ClientAddress.untrustedPeer(GateFixture.STRANGER);
        // new String: the JIT must not fold inputs it can see as constants.
        asset = new String("/assets/app.3f2a1c.js");
        map = new String("/assets/app.3f2a1c.js.map");
        escapedMap = new String("/assets/%61pp.3f2a1c.js.map");
        token = new String(GateFixture.TOKEN);
        wrongToken = new String("not-the-token-at-all-0123456789ab");
        assetPath = new String(asset);
        mapPath = new String(map);
        allowIps = CidrSet.parse(GateFixture.ALLOW_IPS);
        sentryAddress = GateFixture.SENTRY;
        behindBalancer = ClientAddressResolver.of(CidrSet.parse(List.of("10.0.0.0/8")), "X-Forwarded-For");
        balancer = GateFixture.ip("10.1.2.3");
        forwardedFor = List.of(new String("192.0.2.77, 35.234.78.236"));
        expect(decide(asset, stranger, null, null, null), Decision.pass());
        expect(decide(map, sentry, token, null, null), Decision.allow("sentry"));
        expect(decide(map, stranger, token, null, null), Decision.deny(DenyReason.IP, "sentry"));
        expect(decide(map, sentry, wrongToken, null, null), Decision.deny(DenyReason.BAD_CREDENTIAL, null));
        expect(decide(escapedMap, sentry, token, null, null), Decision.allow("sentry"));
    }

    /** No credential, an address nobody listed: the bulk of a site's traffic. */
    @Benchmark
    public Decision passThroughAsset(Blackhole bh) {
        return decide(asset, stranger, null, null, bh);
    }

    @Benchmark
    public Decision gatedAllowed(Blackhole bh) {
        return decide(map, sentry, token, null, bh);
    }

    @Benchmark
    public Decision gatedDeniedByAddress(Blackhole bh) {
        return decide(map, stranger, token, null, bh);
    }

    @Benchmark
    public Decision gatedDeniedByToken(Blackhole bh) {
        return decide(map, sentry, wrongToken, null, bh);
    }

    /** "%61" is 'a': the escape is decoded once and the map is still gated. */
    @Benchmark
    public Decision gatedAllowedEscaped(Blackhole bh) {
        return decide(escapedMap, sentry, token, null, bh);
    }

    // The steps of a decision one at a time, to see which one costs what.

    @Benchmark
    public RequestTarget canonicaliseAsset() throws RequestTarget.BadTargetException {
        return RequestTarget.parse(asset, hosts);
    }

    @Benchmark
    public Route classifyAsset() {
        return policy.route(assetPath);
    }

    @Benchmark
    public Route classifyMap() {
        return policy.route(mapPath);
    }

    @Benchmark
    public boolean addressInAllowIps() {
        return allowIps.contains(sentryAddress);
    }

    @Benchmark
    public CredentialCheck tokenCheck() {
        return policy.credentials().check(token, null);
    }

    /** Before any of it when mapgate runs behind a balancer: X-Forwarded-For says the client is Sentry. */
    @Benchmark
    public ClientAddress clientAddressBehindBalancer() {
        return behindBalancer.resolve(balancer, forwardedFor);
    }

    /** @param bh takes the target, which GateHandler keeps in the Exchange; {@code null} in setUp */
    private Decision decide(String uri, ClientAddress client, String tokenValue, String authorization, Blackhole bh) {
        RequestTarget target;
        try {
            target = RequestTarget.parse(uri, hosts);
        } catch (RequestTarget.BadTargetException e) {
            throw new IllegalStateException(uri, e);
        }
        if (bh != null) {
            bh.consume(target);
        }
        if (policy.isSlow(tokenValue, authorization)) {
            throw new IllegalStateException("a token never needs bcrypt");
        }
        return policy.decide(target.path(), client, tokenValue, authorization);
    }

    private static void expect(Decision actual, Decision expected) {
        if (!actual.equals(expected)) {
            throw new IllegalStateException("the fixture is wrong: expected " + expected + ", got " + actual);
        }
    }
}
