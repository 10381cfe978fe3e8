package dev.mapgate.tls;

import dev.mapgate.config.SettingsLoader;
import dev.mapgate.server.MapgateServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * mapgate started in-process from a real config file, like {@code RunningMapgate}, but keeping
 * hold of the server so that a test can reach its {@link ServerTls} and reload it when it chooses.
 */
final class TlsMapgate implements AutoCloseable {

    private final MapgateServer server;

    private TlsMapgate(MapgateServer server) {
        this.server = server;
    }

    /** @param config the whole file, as a user writes it */
    static TlsMapgate start(Path configFile, String config) throws Exception {
        Files.writeString(configFile, config);
        return new TlsMapgate(MapgateServer.start(SettingsLoader.load(configFile)));
    }

    ServerTls tls() {
        return server.tls();
    }

    InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }
}
