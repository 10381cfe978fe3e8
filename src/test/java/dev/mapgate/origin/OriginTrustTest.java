package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginTrustTest {

    @TempDir
    Path dir;

    @Test
    void aCaFileAddsItsCasToTheJdksInsteadOfReplacingThem() throws Exception {
        X509Bundle ca = new CertificateBuilder().subject("CN=internal CA").ecp256().setIsCertificateAuthority(true)
                .buildSelfSigned();
        Path pem = Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM(), StandardCharsets.US_ASCII);

        X509Certificate[] trusted = issuers(OriginTrust.withExtraCas(pem));
        X509Certificate[] jdk = issuers(jdkDefault());

        assertThat(jdk).as("the JDK ships public CAs").isNotEmpty();
        assertThat(trusted).as("an origin behind a public certificate still works")
                .contains(jdk)
                .contains(ca.getCertificate())
                .hasSize(jdk.length + 1);
    }

    private static TrustManagerFactory jdkDefault() throws Exception {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        return f;
    }

    private static X509Certificate[] issuers(TrustManagerFactory factory) {
        return Arrays.stream(factory.getTrustManagers())
                .filter(X509TrustManager.class::isInstance)
                .map(X509TrustManager.class::cast)
                .findFirst().orElseThrow().getAcceptedIssuers();
    }
}
