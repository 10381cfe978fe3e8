package dev.mapgate.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where assets come from ({@code mapgate.origin}): exactly one of {@code url} and {@code directory}
 * is set.
 *
 * @param url               http(s) base URL of the origin, or {@code null}
 * @param directory         absolute folder for the built-in static origin, or {@code null}
 * @param connectTimeout    how long to wait for a TCP (and TLS) connection to the origin
 * @param responseTimeout   how long to wait for the origin's response headers once the request is sent
 * @param poolIdleTimeout   how long an idle pooled origin connection is kept
 * @param maxConnections    origin connections open at once, pooled or in use, for the whole process
 * @param caFile            PEM file of CAs trusted for an https origin besides the JDK's, or {@code null}
 * @param insecure          whether an https origin's certificate goes unchecked
 * @param forwardHost       whether a proxied request carries the client's Host instead of the origin's
 */
public record OriginSettings(URI url, Path directory, Duration connectTimeout, Duration responseTimeout,
                             Duration poolIdleTimeout, int maxConnections, Path caFile, boolean insecure,
                             boolean forwardHost) {

    /** An origin that gets its own Host. */
    public OriginSettings(URI url, Path directory, Duration connectTimeout, Duration responseTimeout,
                          Duration poolIdleTimeout, int maxConnections, Path caFile, boolean insecure) {
        this(url, directory, connectTimeout, responseTimeout, poolIdleTimeout, maxConnections, caFile, insecure, false);
    }

    public boolean isProxy() {
        return url != null;
    }
}
