package dev.mapgate.bench;

import dev.mapgate.gate.Check;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.Site;
import dev.mapgate.gate.SiteScope;
import dev.mapgate.gate.Sites;
import dev.mapgate.gate.Token;
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

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Which site judges a request ({@link Sites#select}), the work GateHandler adds per request once a
 * config has sites. The sites are those of src/bench/mapgate-sites.conf: 20 prefix sites
 * {@code /app01/} to {@code /app20/} and 4 host sites with folders of their own, so that the
 * end-to-end figure of src/bench/run and this one describe the same selection.
 *
 * <p>Run with {@code mvn -B -Pjmh -DskipTests package && java -jar target/benchmarks.jar SitesBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class SitesBenchmark {

    private Sites none;
    private Sites sites;
    private Sites prefixesOnly;
    private String host;
    private String hostOfASite;
    private String lastPrefix;
    private String uncovered;

    @Setup
    public void setUp() {
        PathGlobs paths = PathGlobs.compile(List.of("**/*.map"));
        Site unnamed = Site.unnamed(new GatePolicy(paths, EnumSet.of(Check.IP, Check.CREDENTIAL),
                CidrSet.parse(List.of("127.0.0.1/32")), new Credentials(List.of(new Token("bench", "own")), List.of())), 404);
        List<Site> named = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            String name = String.format("app%02d", i);
            named.add(site(paths, name, List.of(), List.of("/" + name + "/")));
        }
        named.add(site(paths, "admin", List.of("admin.bench.example"), List.of("/admin/")));
        named.add(site(paths, "previews", List.of("*.preview.bench.example"), List.of("/preview/")));
        named.add(site(paths, "staging", List.of("*.staging.bench.example"), List.of("/staging/")));
        named.add(site(paths, "partners", List.of("partners.bench.example", "*.partners.bench.example"),
                List.of("/partners/")));
        none = Sites.none(unnamed);
        sites = new Sites(unnamed, named);
        prefixesOnly = new Sites(unnamed, named.subList(0, 20));
        // new String: the JIT must not fold inputs it can see as constants.
        host = new String("127.0.0.1:8080");
        hostOfASite = new String("eu.staging.bench.example");
        lastPrefix = new String("/app20/app.js.map");
        uncovered = new String("/assets/app.js.map");
        expect(none.select(host, lastPrefix), null);
        expect(sites.select(host, lastPrefix), "app20");
        expect(sites.select(host, uncovered), null);
        expect(sites.select(hostOfASite, "/staging/app.js.map"), "staging");
        expect(prefixesOnly.select(host, lastPrefix), "app20");
    }

    /** A config without sites: the gate's own settings, without reading the host or the path. */
    @Benchmark
    public Site noSites() {
        return none.select(host, lastPrefix);
    }

    /** The load of src/bench/run's mapgate-sites: no host site matches, and app20 is the last prefix tried. */
    @Benchmark
    public Site lastOfTwentyPrefixes() {
        return sites.select(host, lastPrefix);
    }

    /** The same without the host sites: the Host is not read at all. */
    @Benchmark
    public Site lastOfTwentyPrefixesWithoutHostSites() {
        return prefixesOnly.select(host, lastPrefix);
    }

    /** No site covers the path: every host and prefix is tried, then the gate's own settings judge. */
    @Benchmark
    public Site noSiteCovers() {
        return sites.select(host, uncovered);
    }

    /** A wildcard host site. */
    @Benchmark
    public Site wildcardHost() {
        return sites.select(hostOfASite, "/staging/app.js.map");
    }

    private static Site site(PathGlobs paths, String name, List<String> hosts, List<String> prefixes) {
        GatePolicy policy = new GatePolicy(name, paths, EnumSet.of(Check.IP, Check.CREDENTIAL),
                CidrSet.parse(List.of("127.0.0.1/32")),
                new Credentials(List.of(new Token(name, "token-of-" + name)), List.of()));
        return new Site(name, SiteScope.of(hosts, prefixes), policy, 404);
    }

    private static void expect(Site actual, String name) {
        if (actual == null || !Objects.equals(actual.name(), name)) {
            throw new IllegalStateException("the fixture is wrong: expected site " + name + ", got " + actual);
        }
    }
}
