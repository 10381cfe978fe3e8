package dev.mapgate.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.List;
import javax.net.ssl.SSLException;

/** The listener's TLS policy, the same for both providers, and the contexts built with it. */
final class ServerContexts {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /**
     * TLS 1.3's three suites (all AEAD with ephemeral key exchange), then for TLS 1.2 only ECDHE
     * with AEAD, for ECDSA and RSA certificates: forward secrecy, and none of CBC's padding
     * oracles. Java names; Netty maps them to OpenSSL's for BoringSSL, and the filter drops any
     * the provider lacks.
     */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /**
     * mapgate speaks HTTP/1.1 only, so that is all it offers. A client offering only others (h2)
     * gets no ALPN answer rather than a failed handshake, and may still try HTTP/1.1: the two
     * behaviours that both the JDK and BoringSSL support on a server.
     */
    static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(Protocol.ALPN,
            SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_1_1);

    private static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    private ServerContexts() {
    }

    /** @throws TlsFileProblem when the provider refuses the key or certificate */
    static SslContext build(SslProvider provider, CertifiedKey pair) {
        if (provider == SslProvider.JDK && System.getProperty(REJECT_RENEGOTIATION) == null) {
            // A TLS 1.2 client may otherwise make the server redo the expensive half of a handshake
            // as often as it likes on one connection. BoringSSL never renegotiates as a server.
            // The JDK reads this once, at the first server handshake, which comes after this.
            System.setProperty(REJECT_RENEGOTIATION, "true");
        }
        try {
            return SslContextBuilder.forServer(pair.key(), pair.chain())
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsFileProblem(CertificateChainPem.KEY, "the certificate and key load, but " + implementation(provider)
                    + " refuses them: " + PemBlocks.reason(e), e);
        }
    }

    /** "BoringSSL" or "JDK": what the startup line and reload lines name. */
    static String implementation(SslProvider provider) {
        return provider == SslProvider.JDK ? "JDK" : "BoringSSL";
    }
}
