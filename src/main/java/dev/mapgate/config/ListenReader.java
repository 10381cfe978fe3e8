package dev.mapgate.config;

import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.tls.ListenTlsSettings;
import dev.mapgate.tls.ServerTls;
import dev.mapgate.tls.TlsFileProblem;
import java.time.Duration;

/** Reads {@code mapgate.listen}, its {@code tls} included. */
final class ListenReader {

    private static final String P = "mapgate.listen.";

    private ListenReader() {
    }

    /** The listener, fixed at startup, and the rules for its connections, which a reload may change. */
    record Read(ListenSettings listener, ListenRules rules) {
    }

    static Read read(ConfigValues values, ConfigFiles files) {
        String host = values.string(P + "host");
        // 0 lets the OS pick a free port; the startup line names it.
        int port = values.intInRange(P + "port", 0, 65535);
        int ioThreads = values.intInRange(P + "io-threads", 0, Integer.MAX_VALUE);
        ListenRules rules = new ListenRules(
                values.entries(P + "hosts", AcceptedHosts::of),
                values.positiveIntSize(P + "max-initial-line-length"),
                values.positiveIntSize(P + "max-header-size"),
                values.intInRange(P + "max-header-count", 1, Integer.MAX_VALUE),
                values.positiveDuration(P + "header-timeout"),
                values.positiveDuration(P + "keep-alive-timeout"),
                values.positiveDuration(P + "body-timeout"),
                values.positiveDuration(P + "idle-timeout"),
                values.bool(P + "proxy-protocol"));
        ListenSettings listener = new ListenSettings(host, port, ioThreads,
                values.intInRange(P + "max-connections", 1, Integer.MAX_VALUE),
                tls(values, files, P + "tls."),
                transport(values, P + "transport"));
        return new Read(listener, rules);
    }

    private static ListenSettings.Transport transport(ConfigValues values, String key) {
        String text = values.string(key);
        return switch (text) {
            case "auto" -> ListenSettings.Transport.AUTO;
            case "epoll" -> ListenSettings.Transport.EPOLL;
            case "nio" -> ListenSettings.Transport.NIO;
            default -> throw values.problem(key, "\"" + text + "\" is not one of auto, epoll, nio");
        };
    }

    private static ListenTlsSettings tls(ConfigValues values, ConfigFiles files, String p) {
        String chain = values.optionalString(p + "certificate-chain");
        String key = values.optionalString(p + "private-key");
        Duration reloadInterval = values.positiveDuration(p + "reload-interval");
        String providerText = values.string(p + "provider");
        ListenTlsSettings.Provider provider = switch (providerText) {
            case "auto" -> ListenTlsSettings.Provider.AUTO;
            case "openssl" -> ListenTlsSettings.Provider.OPENSSL;
            case "jdk" -> ListenTlsSettings.Provider.JDK;
            default -> throw values.problem(p + "provider", "\"" + providerText + "\" is not one of auto, openssl, jdk");
        };
        if (chain == null && key == null) {
            return null;
        }
        if (chain == null || key == null) {
            String missing = chain == null ? "certificate-chain" : "private-key";
            throw values.problem(p + missing, "is not set; HTTPS needs both " + p + "certificate-chain and "
                    + p + "private-key");
        }
        ListenTlsSettings tls = new ListenTlsSettings(files.readableFile(values, p + "certificate-chain", chain),
                files.readableFile(values, p + "private-key", key), reloadInterval, provider);
        // So that a bad pair stops startup with the key's name, not the first handshake.
        try {
            ServerTls.check(tls);
        } catch (TlsFileProblem e) {
            throw values.problem(p + e.key(), SettingsLoader.oneLine(e.getMessage()));
        }
        return tls;
    }
}
