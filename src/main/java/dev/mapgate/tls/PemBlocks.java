package dev.mapgate.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.openssl.PEMParser;

/** The PEM blocks of a file, decoded by BouncyCastle, for the two readers to pick from. */
final class PemBlocks {

    private PemBlocks() {
    }

    /**
     * Text outside the blocks is skipped, as openssl skips it (Let's Encrypt and some CAs put
     * "subject=" lines there).
     *
     * @param setting the key under {@code listen.tls} that a problem is reported under
     * @throws TlsFileProblem when the file is blank or a block cannot be decoded
     */
    static List<Object> read(String setting, Path file, byte[] pem) {
        if (isBlank(pem)) {
            // What a file caught just after truncation looks like.
            throw new TlsFileProblem(setting, file + " is empty");
        }
        List<Object> blocks = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII))) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                blocks.add(block);
            }
        } catch (IOException | RuntimeException e) {
            // BouncyCastle reports bad Base64 and unknown block types this way.
            throw new TlsFileProblem(setting, file + " is not a valid PEM file: " + reason(e), e);
        }
        return blocks;
    }

    /** An exception as a short reason; BouncyCastle's parse errors name the problem, not the bytes. */
    static String reason(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.strip();
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }
}
