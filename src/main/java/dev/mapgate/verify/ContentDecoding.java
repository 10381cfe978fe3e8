package dev.mapgate.verify;

import dev.mapgate.guard.PrefixDecoder;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;
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
    public static class DecodingException extends Exception {
        private static final long serialVersionUID = 1L;

        DecodingException(String message) {
            super(message, null, false, false);
        }
    }

    /** The body is larger once decoded than the cap: a compression bomb, or just too big to check. */
    public static final class TooLarge extends DecodingException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    private ContentDecoding() {}

    /** The codings in the order they were applied, {@code identity} left out. */
    public static List<String> codings(String contentEncoding) {
        return PrefixDecoder.codings(contentEncoding);
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

    /**
     * Decodes in two passes: the first only counts, in constant memory, so that a body that
     * inflates past the cap (a compression bomb) is stopped before anything of it is kept; the
     * second fills an array of exactly the counted size.
     */
    private static byte[] read(String coding, Opener opener, long maxDecoded) throws DecodingException {
        byte[] buffer = new byte[64 * 1024];
        long size = 0;
        try (InputStream in = opener.open()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                size += n;
                if (size > maxDecoded) {
                    throw new TooLarge("more than " + Sizes.human(maxDecoded) + " once " + coding + "-decoded");
                }
            }
        } catch (IOException | RuntimeException e) {
            // The decoders report corrupt input as IOException or, for some, unchecked exceptions.
            throw new DecodingException("the body is not valid " + coding + " data (" + describe(e) + ")");
        }
        byte[] out = new byte[(int) size];
        try (InputStream in = opener.open()) {
            int filled = in.readNBytes(out, 0, out.length);
            if (filled != out.length) {
                throw new DecodingException("the body decoded to different sizes twice");
            }
        } catch (IOException | RuntimeException e) {
            throw new DecodingException("the body is not valid " + coding + " data (" + describe(e) + ")");
        }
        return out;
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
