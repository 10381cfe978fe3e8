package dev.mapgate.hostile;

import dev.mapgate.testing.HttpOrigin;
import dev.mapgate.testing.LenientOrigin;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestSite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One mapgate in front of each kind of origin, started on first use and shared by the tests of a
 * class, so the suite starts each server once. A kind that cannot start (not installed) fails or
 * skips each test that asks for it, without being retried.
 *
 * <p>A JUnit extension: a test class registers it as a static field with
 * {@code @RegisterExtension}, and everything it started is stopped, and its files deleted, after
 * the last test of that class.
 */
final class Gateways implements BeforeAllCallback, AfterAllCallback {

    static final String TOKEN = "hostile-suite-sentry-token-89a1d1fea7d909149100";
    static final String ACCEPTED_HOST = "assets.example.com";
    /** A target every version of the canonicaliser refuses: the escape is not hex. */
    private static final String MALFORMED = "/assets/%zz.js";

    /**
     * The gate the README recommends, from loopback only: Sentry's token from an allowed
     * address, 404 for everyone else. The short timeouts keep a case that leaves an exchange
     * hanging (a failure of its own) from holding up the rest of the suite.
     */
    private static final String CONFIG = """
            shutdown { drain-delay = 0s, grace = 1s }
            listen { hosts = ["%s"] }
            origin { url = "%s", response-timeout = 5s }
            gate {
              require = [ip, credential]
              allow-ips = ["127.0.0.1/32"]
              token.tokens = [ { name = "sentry", value = "%s" } ]
              deny-status = 404
            }
            """;

    /** A {@link Gateway}, or what stopped it from starting. */
    private final Map<OriginKind, Object> gateways = new EnumMap<>(OriginKind.class);
    private Path dir;
    private Path site;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("mapgate-hostile");
        site = TestSite.hostile().writeTo(dir.resolve("site"));
    }

    synchronized Gateway get(OriginKind kind) {
        Object gateway = gateways.computeIfAbsent(kind, this::tryStart);
        if (gateway instanceof RuntimeException e) {
            throw e;
        }
        if (gateway instanceof Error e) {
            throw e;
        }
        return (Gateway) gateway;
    }

    private Object tryStart(OriginKind kind) {
        try {
            return start(kind);
        } catch (RuntimeException | Error e) {
            return e;
        }
    }

    private Gateway start(OriginKind kind) {
        HttpOrigin origin = kind.start(site, dir);
        TestMapgate mapgate = null;
        try {
            mapgate = TestMapgate.start(dir, CONFIG.formatted(ACCEPTED_HOST, origin.url(), TOKEN));
            return new Gateway(kind, origin, mapgate, answer(mapgate.address(), TestSite.MAP),
                    answer(mapgate.address(), MALFORMED));
        } catch (IOException e) {
            stop(mapgate, origin);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            stop(mapgate, origin);
            throw e;
        }
    }

    private static void stop(TestMapgate mapgate, HttpOrigin origin) {
        if (mapgate != null) {
            mapgate.close();
        }
        origin.close();
    }

    /** mapgate's answer to a plain request; see {@link Gateway#denial()} and {@link Gateway#refusal()}. */
    private static ResponseReader.Response answer(InetSocketAddress mapgate, String target) throws IOException {
        try (RawClient client = RawClient.connect(mapgate)) {
            return client.get(target);
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) throws IOException {
        for (Object gateway : gateways.values()) {
            if (gateway instanceof Gateway g) {
                g.close();
            }
        }
        gateways.clear();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /**
     * mapgate in front of one origin.
     *
     * @param denial  mapgate's answer to the plainest unauthorised request for the map: every
     *                denial must look exactly like it
     * @param refusal mapgate's answer to a plainly malformed target: every refusal must look
     *                like it, which also tells mapgate's own 400 from one the origin sent
     */
    record Gateway(OriginKind kind, HttpOrigin origin, TestMapgate mapgate, ResponseReader.Response denial,
                   ResponseReader.Response refusal) implements AutoCloseable {

        /** The origin that records what reached it, or {@code null} for one that does not. */
        LenientOrigin recorder() {
            return origin instanceof LenientOrigin lenient ? lenient : null;
        }

        /** Forgets what the recording origin has seen, so a test sees only its own traffic. */
        void forgetOriginTraffic() {
            if (recorder() != null) {
                recorder().clear();
            }
        }

        RawClient connect(int readTimeoutMillis) throws IOException {
            return RawClient.recording(mapgate.address(), readTimeoutMillis);
        }

        @Override
        public void close() {
            mapgate.close();
            origin.close();
        }
    }
}
