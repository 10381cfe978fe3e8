package dev.mapgate.testing;

import dev.mapgate.config.LiveSettings;
import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.gate.FailureThrottle;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.origin.OriginResolvers;
import dev.mapgate.server.ClientPipelines;
import dev.mapgate.server.MapgateServer;
import dev.mapgate.tls.ServerTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one way tests start mapgate, in one of three modes:
 * <ul>
 *   <li>in this JVM, from a real config file read by the production loader, so the tests exercise
 *       the keys users write: {@link #start(Path, String)} for most tests, {@link #in(Path)} for
 *       the options (metrics to read, a resolver, an origin of its own, a whole config file);
 *   <li>as a JVM of its own, started the way a user starts it: {@link #jvm()};
 *   <li>as its client pipeline alone, on an in-memory channel whose clock the test moves:
 *       {@link #inMemory}, for the fuzz.
 * </ul>
 */
public final class TestMapgate implements AutoCloseable {

    /** Where an in-memory channel says it is connected: mapgate's usual port on loopback. */
    private static final InetSocketAddress IN_MEMORY_LOCAL =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);

    private final MapgateServer server;
    /** The origin started for this mapgate, or {@code null} when the config names its own. */
    private final TestOrigin origin;

    private TestMapgate(MapgateServer server, TestOrigin origin) {
        this.server = server;
        this.origin = origin;
    }

    /**
     * mapgate on free loopback ports (traffic and admin).
     *
     * @param body HOCON inside {@code mapgate { ... }}; the listeners are added
     */
    public static TestMapgate start(Path dir, String body) {
        return in(dir).config(body).start();
    }

    /** Options for a mapgate whose config file goes into {@code dir}. */
    public static Options in(Path dir) {
        return new Options(dir);
    }

    /** Options for mapgate as its own JVM, started the way a user starts it. */
    public static MapgateJvm.Options jvm() {
        return new MapgateJvm.Options();
    }

    /**
     * mapgate's production client pipeline, built by its own initializer, on an in-memory channel
     * from {@code peer}, not yet registered: the test registers it (and may freeze its clock)
     * where it records what goes wrong. Reads wait for the pipeline to ask, as on a socket.
     */
    public static EmbeddedSocketChannel inMemory(LiveSettings settings, Metrics metrics, FailureThrottle throttle,
                                                 InetSocketAddress peer) {
        EmbeddedSocketChannel channel = new EmbeddedSocketChannel(peer, IN_MEMORY_LOCAL);
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(ClientPipelines.initializer(settings, metrics, throttle));
        return channel;
    }

    /** The running server, e.g. to reach its TLS for a reload. */
    public MapgateServer server() {
        return server;
    }

    public ServerTls tls() {
        return server.tls();
    }

    /** What reached the origin started by {@link Options#ownOrigin()}; see {@link TestOrigin#seen()}. */
    public TestOrigin origin() {
        if (origin == null) {
            throw new IllegalStateException("this mapgate was started without an origin of its own");
        }
        return origin;
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public RawClient connect() throws IOException {
        return RawClient.connect(address());
    }

    public RawClient connectFrom(String source) throws IOException {
        return RawClient.connect(address(), source);
    }

    @Override
    public void close() {
        server.close();
        if (origin != null) {
            origin.close();
        }
    }

    /** How to start an in-process mapgate; every option has the default most tests want. */
    public static final class Options {

        /**
         * The gate of {@link #ownOrigin()}: loopback clients pass on their address alone, for tests
         * of the listener and of HTTP framing rather than of the gate.
         */
        private static final String OWN_ORIGIN_CONFIG = """
                origin.url = "%s"
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """;

        private final Path dir;
        private String body = "";
        private Path file;
        private Metrics metrics = Metrics.inMemory();
        private OriginResolvers resolvers = OriginResolvers.system();
        private boolean ownOrigin;

        private Options(Path dir) {
            this.dir = dir;
        }

        /** HOCON inside {@code mapgate { ... }}; the loopback listeners on free ports are added. */
        public Options config(String body) {
            this.body = body;
            return this;
        }

        /**
         * The whole config file, as a user writes it, at {@code file}: nothing is added, so the
         * test chooses the listeners (e.g. an HTTPS one) and can rewrite the file for a reload.
         */
        public Options wholeFile(Path file, String text) {
            try {
                Files.writeString(file, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.file = file;
            return this;
        }

        /** Meters go to {@code metrics}, for the test to read. */
        public Options metrics(Metrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** The origin's name is looked up with {@code resolvers}. */
        public Options resolvers(OriginResolvers resolvers) {
            this.resolvers = resolvers;
            return this;
        }

        /**
         * In front of a {@link TestOrigin} of its own, stopped with it, behind a gate that lets
         * loopback clients through on their address alone.
         */
        public Options ownOrigin() {
            this.ownOrigin = true;
            return this;
        }

        public TestMapgate start() {
            TestOrigin origin = null;
            try {
                String config = body;
                if (ownOrigin) {
                    origin = new TestOrigin();
                    config = OWN_ORIGIN_CONFIG.formatted(origin.url()) + body;
                }
                Settings settings = SettingsLoader.load(file != null ? file : writeConfig(config));
                return new TestMapgate(MapgateServer.start(settings, metrics, resolvers), origin);
            } catch (IOException e) {
                closeQuietly(origin);
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                closeQuietly(origin);
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (RuntimeException | Error e) {
                closeQuietly(origin);
                throw e;
            }
        }

        private Path writeConfig(String config) throws IOException {
            Path conf = Files.createTempFile(dir, "mapgate", ".conf");
            Files.writeString(conf, "mapgate {\n listen { host = \"127.0.0.1\", port = 0 }\n admin { host = \"127.0.0.1\", port = 0 }\n"
                    + config + "\n}\n", StandardCharsets.UTF_8);
            return conf;
        }

        private static void closeQuietly(TestOrigin origin) {
            if (origin != null) {
                origin.close();
            }
        }
    }
}
