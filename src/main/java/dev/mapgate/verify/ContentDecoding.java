package dev.mapgate.verify;

import dev.mapgate.guard.PrefixDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;

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
        if (!PrefixDecoder.CODINGS.contains(coding)) {
            throw new DecodingException("Content-Encoding \"" + coding
                    + "\" is not one Sentry accepts (br, deflate, gzip, zstd); Sentry treats it as an error");
        }
        try {
            return read(coding, () -> PrefixDecoder.open(coding, data, false), maxDecoded);
        } catch (TooLarge tooLarge) {
            throw tooLarge;
        } catch (DecodingException zlibFailed) {
            if (!coding.equals("deflate")) {
                throw zlibFailed;
            }
            // RFC 9110 says zlib-wrapped; some servers send raw deflate. Browsers accept both.
            return read(coding, () -> PrefixDecoder.open(coding, data, true), maxDecoded);
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
