package dev.mapgate.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate chain and the private key of its first certificate, checked to belong together,
 * so that a mismatched pair (or one caught half-rotated) is refused instead of served: a server
 * with the wrong key completes no handshake at all.
 *
 * @param chain the server's certificate first, then any intermediates
 */
record CertifiedKey(X509Certificate[] chain, PrivateKey key) {

    private static final SecureRandom RANDOM = new SecureRandom();

    CertifiedKey {
        chain = chain.clone();
    }

    /**
     * @throws TlsFileProblem naming the file at fault: the key when it matches no certificate,
     *                        the chain when the key's certificate is not first
     */
    static CertifiedKey read(Path chainFile, byte[] chainPem, Path keyFile, byte[] keyPem) {
        X509Certificate[] chain = CertificateChainPem.read(chainFile, chainPem);
        PrivateKey key = PrivateKeyPem.read(keyFile, keyPem);
        String signature = signatureAlgorithm(key);
        if (signature == null) {
            throw new TlsFileProblem(PrivateKeyPem.KEY, keyFile + " holds a key of type " + key.getAlgorithm()
                    + "; mapgate serves RSA and EC (ECDSA) keys only, which every TLS client accepts");
        }
        if (!proves(key, signature, chain[0].getPublicKey())) {
            for (int i = 1; i < chain.length; i++) {
                if (proves(key, signature, chain[i].getPublicKey())) {
                    throw new TlsFileProblem(CertificateChainPem.KEY, chainFile + " starts with " + subject(chain[0])
                            + ", but the private key belongs to certificate " + (i + 1) + " in it, " + subject(chain[i])
                            + ": the server's own certificate must come first, then its intermediates");
                }
            }
            throw new TlsFileProblem(PrivateKeyPem.KEY, keyFile + " does not belong to the certificate "
                    + subject(chain[0]) + " in " + chainFile + ": the files are from different pairs, or were caught "
                    + "half-way through a rotation");
        }
        return new CertifiedKey(chain, key);
    }

    X509Certificate leaf() {
        return chain[0];
    }

    @Override
    public X509Certificate[] chain() {
        return chain.clone();
    }

    /** Names the certificate only: a key's own toString may print its private numbers. */
    @Override
    public String toString() {
        return "CertifiedKey[" + subject(chain[0]) + "]";
    }

    static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    /** {@code null} for a key type mapgate's cipher suites cannot serve. */
    private static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> null;
        };
    }

    /**
     * Signs random bytes with the key and verifies them with the certificate's public key: the
     * one check that holds for every key type, rather than comparing key-specific numbers.
     */
    private static boolean proves(PrivateKey key, String algorithm, PublicKey certified) {
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // Above all InvalidKeyException: a certificate of another key type cannot verify at all.
            return false;
        }
    }
}
