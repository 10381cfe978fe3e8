package dev.mapgate.tls;

import java.nio.file.Path;
import java.security.PrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads {@code listen.tls.private-key}: PKCS#8 ("BEGIN PRIVATE KEY"), PKCS#1 ("BEGIN RSA PRIVATE
 * KEY") or SEC1 ("BEGIN EC PRIVATE KEY"). BouncyCastle reads all three, where the JDK reads only
 * PKCS#8; cert-manager and openssl write the other two by default.
 */
final class PrivateKeyPem {

    static final String KEY = "private-key";

    private PrivateKeyPem() {
    }

    /**
     * Certificates and EC parameter blocks next to the key ({@code openssl ecparam -genkey}
     * writes one) are skipped.
     *
     * @throws TlsFileProblem when the file holds no single, unencrypted, readable key
     */
    static PrivateKey read(Path file, byte[] pem) {
        PrivateKeyInfo found = null;
        for (Object block : PemBlocks.read(KEY, file, pem)) {
            PrivateKeyInfo key = privateKeyOf(file, block);
            if (key != null && found != null) {
                throw new TlsFileProblem(KEY, file + " holds more than one private key");
            }
            found = key != null ? key : found;
        }
        if (found == null) {
            throw new TlsFileProblem(KEY, file + " holds no PEM private key (\"-----BEGIN PRIVATE KEY-----\", "
                    + "\"-----BEGIN RSA PRIVATE KEY-----\" or \"-----BEGIN EC PRIVATE KEY-----\")");
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(found);
        } catch (PEMException e) {
            throw new TlsFileProblem(KEY, file + " holds a private key that cannot be read: " + PemBlocks.reason(e), e);
        }
    }

    private static PrivateKeyInfo privateKeyOf(Path file, Object block) {
        if (block instanceof PrivateKeyInfo pkcs8) {
            return pkcs8;
        }
        if (block instanceof PEMKeyPair traditional) {
            // Only the private half: a SEC1 key may leave its public key out.
            return traditional.getPrivateKeyInfo();
        }
        if (block instanceof PEMEncryptedKeyPair || block instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new TlsFileProblem(KEY, file + " is encrypted with a passphrase; mapgate needs the key unencrypted "
                    + "(openssl pkey -in encrypted.key -out plain.key), readable by mapgate's user only");
        }
        return null;
    }
}
