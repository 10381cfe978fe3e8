package dev.mapgate.testing;

import java.io.IOException;
import java.nio.file.Path;

/**
 * mapgate in front of its own {@link TestOrigin}, with a gate that lets loopback clients through
 * on their address alone: for tests of the listener and of HTTP framing, not of the gate.
 */
public final class ProxiedMapgate implements AutoCloseable {

    private final TestOrigin origin;
    private final RunningMapgate mapgate;

    private ProxiedMapgate(TestOrigin origin, RunningMapgate mapgate) {
        this.origin = origin;
        this.mapgate = mapgate;
    }

    /** @param config more HOCON inside {@code mapgate { ... }}, e.g. {@code listen.max-connections = 3} */
    public static ProxiedMapgate start(Path dir, String config) throws IOException {
        TestOrigin origin = new TestOrigin();
        try {
            return new ProxiedMapgate(origin, RunningMapgate.start(dir, """
                    origin.url = "%s"
                    gate { require = [ip], allow-ips = ["127.0.0.1"] }
                    %s
                    """.formatted(origin.url(), config)));
        } catch (RuntimeException e) {
            origin.close();
            throw e;
        }
    }

    /** What reached the origin; see {@link TestOrigin#seen()}. */
    public TestOrigin origin() {
        return origin;
    }

    public RawClient connect() throws IOException {
        return mapgate.connect();
    }

    @Override
    public void close() {
        mapgate.close();
        origin.close();
    }
}
