package dev.mapgate.testing;

import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.origin.OriginResolvers;
import dev.mapgate.server.MapgateServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * mapgate started in-process from a real config file, listening on a free loopback port. The
 * config goes through the same loader as production, so the tests exercise the keys users write.
 */
public final class RunningMapgate implements AutoCloseable {

    private final MapgateServer server;

    private RunningMapgate(MapgateServer server) {
        this.server = server;
    }

    /** @param body HOCON inside {@code mapgate { ... }}; the listener is added */
    public static RunningMapgate start(Path dir, String body) {
        return start(dir, body, Metrics.inMemory());
    }

    /** As {@link #start(Path, String)}, recording meters in {@code metrics} for the test to read. */
    public static RunningMapgate start(Path dir, String body, Metrics metrics) {
        return start(dir, body, metrics, OriginResolvers.system());
    }

    /** As {@link #start(Path, String, Metrics)}, looking up the origin's name with {@code resolvers}. */
    public static RunningMapgate start(Path dir, String body, Metrics metrics, OriginResolvers resolvers) {
        try {
            Path file = Files.createTempFile(dir, "mapgate", ".conf");
            Files.writeString(file, "mapgate {\n listen { host = \"127.0.0.1\", port = 0 }\n admin { host = \"127.0.0.1\", port = 0 }\n" + body + "\n}\n",
                    StandardCharsets.UTF_8);
            Settings settings = SettingsLoader.load(file);
            return new RunningMapgate(MapgateServer.start(settings, metrics, resolvers));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The running server, e.g. to reach its TLS for a reload. */
    public MapgateServer server() {
        return server;
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
    }
}
