package dev.mapgate.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import dev.mapgate.watch.SourceFingerprint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bytes of both {@code listen.tls} files, read once, so that what is fingerprinted is exactly
 * what is parsed. Comparing content rather than modification times is what makes a Kubernetes
 * Secret mount work: it swaps a {@code ..data} symlink, and the files' own times do not change.
 *
 * @param fingerprint each file's digest; equal fingerprints mean nothing changed
 */
record TlsFiles(Path chainFile, byte[] chain, Path keyFile, byte[] key, SourceFingerprint fingerprint) {

    /** PEM chains are a few KiB; anything far larger is not one, and is not read into memory. */
    static final int MAX_BYTES = 1 << 20;

    /** @throws TlsFileProblem when either file cannot be read */
    static TlsFiles read(ListenTlsSettings settings) {
        byte[] chain = bytes(CertificateChainPem.KEY, settings.certificateChain());
        byte[] key = bytes(PrivateKeyPem.KEY, settings.privateKey());
        // Each file's own digest, so that bytes moving from one file to the other still count as a change.
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        contents.put(settings.certificateChain(), chain);
        contents.put(settings.privateKey(), key);
        return new TlsFiles(settings.certificateChain(), chain, settings.privateKey(), key,
                SourceFingerprint.ofContents(contents));
    }

    CertifiedKey parse() {
        return CertifiedKey.read(chainFile, chain, keyFile, key);
    }

    private static byte[] bytes(String setting, Path file) {
        // Files.newInputStream follows symlinks, so the target current at this moment is read.
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new TlsFileProblem(setting, file + " is larger than 1 MiB, so it is no PEM file mapgate can use");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new TlsFileProblem(setting, file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new TlsFileProblem(setting, file + " cannot be read: permission denied", e);
        } catch (IOException e) {
            throw new TlsFileProblem(setting, file + " cannot be read: " + PemBlocks.reason(e), e);
        }
    }
}
