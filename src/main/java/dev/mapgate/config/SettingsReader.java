package dev.mapgate.config;

import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.gate.Site;
import dev.mapgate.gate.Sites;
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

    /**
     * Sites chosen by host alone keep apart only what the origin serves per host. The static
     * origin serves one tree for every host, so such a config cannot work and is refused; a
     * proxied origin gets its own Host unless forward-host is on, and is warned about.
     */
    private static void hostSites(ConfigValues values, OriginSettings origin, Sites sites, List<String> warnings) {
        for (Site site : sites.chosenByHostAlone()) {
            String key = ListSchema.SITES.in(ListSchema.GATE) + "[" + sites.named().indexOf(site) + "]";
            if (!origin.isProxy()) {
                throw new ConfigProblem(key + ".hosts: mapgate.origin.directory serves the same files whatever the"
                        + " host, so site '" + site.name() + "', chosen by host alone, would open every map in it,"
                        + " the other sites' too; give it path-prefixes as well");
            }
            if (!origin.forwardHost()) {
                warnings.add(key.substring("mapgate.".length()) + ".hosts: site '" + site.name() + "' is chosen by"
                        + " host alone, but the origin gets its own Host for every request (the client's only in"
                        + " X-Forwarded-Host); unless it picks each host's files by X-Forwarded-Host, this site's"
                        + " credentials open the other sites' maps: set mapgate.origin.forward-host = true for an"
                        + " origin that picks them by Host (nginx server blocks, a bucket's virtual hosts)");
            }
        }
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
        hostSites(values, origin, gate.gate().sites(), warnings);
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
