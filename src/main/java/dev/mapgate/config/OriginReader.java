package dev.mapgate.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Locale;

/** Reads {@code mapgate.origin}: an upstream URL or a static directory, its timeouts and TLS. */
final class OriginReader {

    private static final String P = "mapgate.origin.";

    private OriginReader() {
    }

    static OriginSettings read(ConfigValues values, ConfigFiles files) {
        String url = values.optionalString(P + "url");
        String directory = values.optionalString(P + "directory");
        if ((url == null) == (directory == null)) {
            throw new ConfigProblem("mapgate.origin: set exactly one of mapgate.origin.url and "
                    + "mapgate.origin.directory; " + (url == null ? "neither is set" : "both are set"));
        }
        Duration connectTimeout = values.positiveDuration(P + "connect-timeout");
        Duration responseTimeout = values.positiveDuration(P + "response-timeout");
        Duration poolIdleTimeout = values.positiveDuration(P + "pool-idle-timeout");
        int maxConnections = values.intInRange(P + "max-connections", 1, 1_000_000);
        String ca = values.optionalString(P + "tls.ca-file");
        Path caFile = ca == null ? null : caFile(values, files, P + "tls.ca-file", ca);
        boolean insecure = values.bool(P + "tls.insecure");
        if (insecure && caFile != null) {
            throw values.problem(P + "tls.insecure", "cannot be combined with " + P + "tls.ca-file: with insecure "
                    + "no certificate is checked, so the CA would never be used");
        }
        return new OriginSettings(
                url == null ? null : url(values, P + "url", url),
                directory == null ? null : existingDirectory(values, files, P + "directory", directory),
                connectTimeout, responseTimeout, poolIdleTimeout, maxConnections, caFile, insecure,
                values.bool(P + "forward-host"));
    }

    /** The URL is never echoed: it may carry user:password. */
    private static URI url(ConfigValues values, String key, String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw values.problem(key, "is not a valid URL: " + e.getReason() + " at index " + e.getIndex());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw values.problem(key, "must start with http:// or https://");
        }
        if (uri.getRawUserInfo() != null) {
            throw values.problem(key, "must not contain user:password@; mapgate sends no credentials to the origin");
        }
        if (uri.getHost() == null) {
            throw values.problem(key, "has no host name");
        }
        if (uri.getRawQuery() != null) {
            throw values.problem(key, "must not have a query (?...)");
        }
        if (uri.getRawFragment() != null) {
            throw values.problem(key, "must not have a fragment (#...)");
        }
        return uri;
    }

    private static Path existingDirectory(ConfigValues values, ConfigFiles files, String key, String text) {
        Path directory = files.resolve(key, text);
        if (!Files.exists(directory)) {
            throw values.problem(key, directory + " does not exist");
        }
        if (!Files.isDirectory(directory)) {
            throw values.problem(key, directory + " is not a directory");
        }
        return directory;
    }

    /** Parsed here so that a wrong file fails at startup, not on the first origin connection. */
    private static Path caFile(ConfigValues values, ConfigFiles files, String key, String text) {
        Path file = files.resolve(key, text);
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw values.problem(key, file + " contains no certificate");
            }
        } catch (IOException e) {
            throw values.problem(key, Unreadable.describe(file, e));
        } catch (CertificateException e) {
            throw values.problem(key, file + " is not a PEM certificate bundle ("
                    + SettingsLoader.oneLine(e.getMessage()) + ")");
        }
        return file;
    }
}
