package dev.mapgate.verify;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.brotli.dec.BrotliInputStream;

/**
 * Undoes a response's {@code Content-Encoding}, as Sentry's fetcher does with what it asked for
 * ({@code br, deflate, gzip, zstd}). Any other coding is an error there, so it is one here. The
 * decoded size is capped: a CLI should say "too large", not run out of memory.
 */
public final class ContentDecoding {

    /** Why a body could not be decoded; the message names the coding. */
    public static final class DecodingException extends Exception {
        private static final long serialVersionUID = 1L;

        DecodingException(String message) {
            super(message, null, false, false);
        }
    }

    private ContentDecoding() {}

    /** The codings in the order they were applied, {@code identity} left out. */
    public static List<String> codings(String contentEncoding) {
        List<String> codings = new ArrayList<>();
        if (contentEncoding == null) {
            return codings;
        }
        for (String part : contentEncoding.split(",")) {
            String coding = part.strip().toLowerCase(Locale.ROOT);
            if (!coding.isEmpty() && !coding.equals("identity")) {
                codings.add(coding);
            }
        }
        return codings;
    }

    public static byte[] decode(String contentEncoding, byte[] body, long maxDecoded) throws DecodingException {
        List<String> codings = codings(contentEncoding);
        Collections.reverse(codings); // the last coding applied comes off first
        byte[] data = body;
        for (String coding : codings) {
            data = decodeOne(coding, data, maxDecoded);
        }
        return data;
    }

    private static byte[] decodeOne(String coding, byte[] data, long maxDecoded) throws DecodingException {
        switch (coding) {
            case "gzip", "x-gzip" -> {
                return read(coding, () -> new GZIPInputStream(new ByteArrayInputStream(data)), maxDecoded);
            }
            case "deflate" -> {
                // RFC 9110 says zlib-wrapped; some servers send raw deflate. Browsers accept both.
                try {
                    return read(coding, () -> new InflaterInputStream(new ByteArrayInputStream(data), new Inflater()), maxDecoded);
                } catch (DecodingException zlibFailed) {
                    return read(coding, () -> new InflaterInputStream(new ByteArrayInputStream(data), new Inflater(true)), maxDecoded);
                }
            }
            case "br" -> {
                return read(coding, () -> new BrotliInputStream(new ByteArrayInputStream(data)), maxDecoded);
            }
            case "zstd" -> {
                return read(coding, () -> new ZstdInputStream(new ByteArrayInputStream(data)), maxDecoded);
            }
            default -> throw new DecodingException("Content-Encoding \"" + coding
                    + "\" is not one Sentry accepts (br, deflate, gzip, zstd); Sentry treats it as an error");
        }
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    private static byte[] read(String coding, Opener opener, long maxDecoded) throws DecodingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = opener.open()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (out.size() + (long) n > maxDecoded) {
                    throw new DecodingException("more than " + Sizes.human(maxDecoded) + " once " + coding
                            + "-decoded; verify stops there");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            // The decoders report corrupt input as IOException or, for some, unchecked exceptions.
            throw new DecodingException("the body is not valid " + coding + " data (" + describe(e) + ")");
        }
        return out.toByteArray();
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
