package dev.mapgate.tls;

import java.nio.file.Path;
import java.time.Duration;

/**
 * HTTPS on the listener ({@code mapgate.listen.tls}); absent when the listener speaks plain HTTP.
 *
 * @param certificateChain absolute path of the PEM certificate chain, leaf first
 * @param privateKey       absolute path of the PEM private key
 * @param reloadInterval   how often both files are checked for changes
 * @param provider         which TLS implementation to use
 */
public record ListenTlsSettings(Path certificateChain, Path privateKey, Duration reloadInterval, Provider provider) {

    public enum Provider {
        /** BoringSSL where netty-tcnative loads, the JDK otherwise. */
        AUTO,
        /** BoringSSL or nothing. */
        OPENSSL,
        JDK
    }
}
