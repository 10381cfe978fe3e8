package dev.mapgate.tls;

import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;

/** Reads {@code listen.tls.certificate-chain}: the PEM certificates of a file, in file order. */
final class CertificateChainPem {

    static final String KEY = "certificate-chain";

    private CertificateChainPem() {
    }

    /**
     * Other PEM blocks (a private key in a combined file, EC parameters) are skipped: only the
     * certificates say what is served, and the key is read from {@code private-key}.
     *
     * @throws TlsFileProblem when the file holds no readable certificate
     */
    static X509Certificate[] read(Path file, byte[] pem) {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object block : PemBlocks.read(KEY, file, pem)) {
            if (block instanceof X509CertificateHolder holder) {
                try {
                    chain.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsFileProblem(KEY, file + " holds a certificate that cannot be read: "
                            + PemBlocks.reason(e), e);
                }
            }
        }
        if (chain.isEmpty()) {
            throw new TlsFileProblem(KEY, file + " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\"); "
                    + "a DER file needs converting first: openssl x509 -inform der -in cert.der -out cert.pem");
        }
        return chain.toArray(X509Certificate[]::new);
    }
}
