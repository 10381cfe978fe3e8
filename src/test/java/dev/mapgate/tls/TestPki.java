package dev.mapgate.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.CertificateBuilder.Algorithm;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A test CA with an intermediate, server certificates issued by the intermediate for localhost
 * and 127.0.0.1, and their keys written in each PEM format mapgate accepts (and some it refuses).
 */
public final class TestPki {

    /** How a private key is written. */
    public enum KeyFormat {
        /** "BEGIN PRIVATE KEY", for any key type. */
        PKCS8,
        /** "BEGIN RSA PRIVATE KEY" or "BEGIN EC PRIVATE KEY", as openssl and cert-manager write them. */
        TRADITIONAL,
        /** "BEGIN ENCRYPTED PRIVATE KEY". */
        PKCS8_ENCRYPTED,
        /** "Proc-Type: 4,ENCRYPTED" on a traditional key. */
        TRADITIONAL_ENCRYPTED
    }

    /** For writing encrypted keys only; mapgate itself reads with the JDK's providers. */
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final char[] PASSPHRASE = "passphrase".toCharArray();

    final X509Bundle root;
    final X509Bundle intermediate;

    public TestPki() {
        try {
            root = new CertificateBuilder().subject("CN=mapgate test root").ecp256()
                    .setIsCertificateAuthority(true).buildSelfSigned();
            intermediate = new CertificateBuilder().subject("CN=mapgate test intermediate").ecp256()
                    .setIsCertificateAuthority(true).buildIssuedBy(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate for localhost and 127.0.0.1, valid from an hour ago for a day. */
    public X509Bundle server(Algorithm algorithm) {
        Instant now = Instant.now();
        return server(algorithm, now.minusSeconds(3600), now.plusSeconds(86_400));
    }

    X509Bundle server(Algorithm algorithm, Instant notBefore, Instant notAfter) {
        try {
            return new CertificateBuilder().subject("CN=localhost").algorithm(algorithm)
                    .addSanDnsName("localhost").addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth()
                    .notBefore(notBefore).notAfter(notAfter)
                    .buildIssuedBy(intermediate);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's certificate, then the intermediate: what a chain file holds. */
    static String chainPem(X509Bundle server) {
        return server.getCertificatePEM() + pem(server.getCertificatePath()[1]);
    }

    static String keyPem(KeyPair pair, KeyFormat format) {
        PrivateKey key = pair.getPrivate();
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            switch (format) {
                case PKCS8 -> writer.writeObject(new JcaPKCS8Generator(key, null));
                case TRADITIONAL -> writer.writeObject(traditional(pair));
                case PKCS8_ENCRYPTED -> writer.writeObject(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(
                        PKCS8Generator.AES_256_CBC).setProvider(BC).setPassword(PASSPHRASE).build()));
                case TRADITIONAL_ENCRYPTED -> writer.writeObject(key,
                        new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(BC).build(PASSPHRASE));
                default -> throw new IllegalArgumentException(format.toString());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /**
     * Writes the pair as a rotation tool does: each file to a temporary name, then moved into
     * place, so that a reader sees either the old or the new bytes of a file, never half of one.
     */
    public static void install(X509Bundle server, KeyFormat format, Path chainFile, Path keyFile) {
        replace(chainFile, chainPem(server));
        replace(keyFile, keyPem(server.getKeyPair(), format));
    }

    static void replace(Path file, String content) {
        try {
            Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), content, StandardCharsets.US_ASCII);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client context that trusts the root, and so the servers' chains through the intermediate. */
    public SSLContext clientTrustingRoot() {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("root", root.getCertificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Netty client context that trusts the root, for in-memory handshakes and Netty clients. */
    SslContext nettyClient(SslProvider provider, String... protocols) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider).trustManager(root.getCertificate());
            return (protocols.length == 0 ? builder : builder.protocols(protocols)).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(X509Certificate certificate) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * PKCS#1 for RSA, as BouncyCastle writes a JCA key. SEC1 for EC is built by hand: the JDK's
     * PKCS#8 encoding keeps the curve outside the inner key, and BouncyCastle copies only the
     * inner key, where openssl (and so every real SEC1 file) names the curve and the public point.
     */
    private static Object traditional(KeyPair pair) throws IOException {
        PrivateKey key = pair.getPrivate();
        if (!key.getAlgorithm().equals("EC")) {
            return key;
        }
        PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(key.getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(pkcs8.parsePrivateKey());
        int orderBits = ((ECKey) key).getParams().getOrder().bitLength();
        ECPrivateKey sec1 = new ECPrivateKey(orderBits, inner.getKey(),
                SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()).getPublicKeyData(),
                pkcs8.getPrivateKeyAlgorithm().getParameters());
        return new PemObject("EC PRIVATE KEY", sec1.getEncoded());
    }
}
