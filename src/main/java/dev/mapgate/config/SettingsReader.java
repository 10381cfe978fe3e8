package dev.mapgate.config;

import dev.mapgate.gate.ClientAddressResolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one {@link Settings} snapshot from the merged, resolved config: each section by its own
 * reader, then the checks and warnings that span sections.
 */
final class SettingsReader {

    private SettingsReader() {
    }

    /** @param envWarnings what is wrong with the environment, reported first among the warnings */
    static Settings read(ConfigValues values, ConfigFiles files, List<String> envWarnings) {
        ListenReader.Read read = ListenReader.read(values, files);
        ListenSettings listen = read.listener();
        OriginSettings origin = OriginReader.read(values, files);
        if (listen.ioThreads() > 0 && origin.maxConnections() < listen.ioThreads()) {
            throw values.problem("mapgate.origin.max-connections", origin.maxConnections() + " is fewer than the "
                    + listen.ioThreads() + " event loops of mapgate.listen.io-threads; each needs at least one");
        }
        GateReader.Read gate = GateReader.read(values, files);
        ClientAddressResolver clientIp = ClientIpReader.read(values, gate.gate().tokenHeader());
        AdminSettings admin = AdminReader.read(values);
        List<String> warnings = new ArrayList<>(envWarnings);
        warnings.addAll(GateWarnings.render(gate.gate().sites()));
        warnings.addAll(TokenAdvice.warnings(gate.tokens(), listen.host()));
        if (origin.insecure()) {
            warnings.add("mapgate.origin.tls.insecure = true: the origin's certificate is not checked; anyone "
                    + "on the path to the origin can read and change what mapgate serves, source maps included");
        }
        if (read.rules().proxyProtocol() && clientIp.trustedProxies().isEmpty()) {
            warnings.add("mapgate.listen.proxy-protocol = on but mapgate.client-ip.trusted-proxies is empty: "
                    + "no peer may send a PROXY header, so every connection that does is closed");
        }
        ShutdownSettings shutdown = new ShutdownSettings(
                values.nonNegativeDuration("mapgate.shutdown.drain-delay"),
                values.positiveDuration("mapgate.shutdown.grace"));
        Duration reloadInterval = values.positiveDuration("mapgate.reload.check-interval");
        return new Settings(
                new StartupSettings(files.configFile(), listen, origin, admin, gate.gate().throttle().maxTracked(),
                        reloadInterval),
                new ReloadableSettings(read.rules(), gate.gate(), clientIp, shutdown, files.sources(), warnings));
    }
}
