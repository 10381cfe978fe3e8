package dev.mapgate.guard;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.brotli.dec.BrotliInputStream;

/**
 * Decodes the start of an encoded body, as far as the bytes that have arrived allow, so the
 * sniffer can look at what a client would see. The body is usually incomplete: a decoder that runs
 * out of input simply stops, and what it produced until then is the answer.
 *
 * <p>Knows the codings Sentry's fetcher and browsers accept: gzip, deflate (zlib-wrapped or raw),
 * br and zstd. Any other coding cannot be read by them either, so its body is reported as
 * unreadable ({@code null}).
 *
 * <p>br goes through Google's native decoder (brotli4j) where it loads: it hands out the first
 * decoded bytes as soon as they exist. The pure-Java decoder, the fallback, produces nothing
 * before it has decoded a whole meta-block, typically hundreds of KiB.
 */
public final class PrefixDecoder {

    /** Loaded on the first br body, not when codings are merely parsed (as verify does). */
    private static final class NativeBrotli {
        static final boolean AVAILABLE = Brotli4jLoader.isAvailable();
    }

    private PrefixDecoder() {
    }

    /**
     * Why Google's native br decoder does not load here, or empty when it does. Without it the
     * guard decodes br in Java: slower, and a br body whose start that decoder cannot reach
     * within the guard's hold limit is refused. Loads the decoder if it was not yet.
     */
    public static java.util.Optional<String> nativeBrotliProblem() {
        if (NativeBrotli.AVAILABLE) {
            return java.util.Optional.empty();
        }
        Throwable cause = Brotli4jLoader.getUnavailabilityCause();
        return java.util.Optional.of(cause == null ? "unknown" : cause.toString());
    }

    /** The codings of a {@code Content-Encoding} value in the order they were applied, without {@code identity}. */
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

    /** The codings this class decodes: those Sentry's fetcher and browsers accept. */
    public static final java.util.Set<String> CODINGS = java.util.Set.of("gzip", "x-gzip", "deflate", "br", "zstd");

    /** Whether every coding in {@code codings} is one this class can decode. */
    public static boolean canDecode(List<String> codings) {
        return CODINGS.containsAll(codings);
    }

    /**
     * A stream that decodes {@code coding} from {@code data}, or {@code null} for a coding this
     * class does not know. br is the pure-Java decoder here: it needs no native library, and
     * reads a whole body as fast as the native one.
     *
     * @param rawDeflate for {@code deflate}: read it without the zlib wrapper RFC 9110 asks for,
     *                   as some servers send it (browsers take both)
     */
    public static InputStream open(String coding, byte[] data, boolean rawDeflate) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(data);
        return switch (coding) {
            case "gzip", "x-gzip" -> new GZIPInputStream(in);
            case "deflate" -> new InflaterInputStream(in, new Inflater(rawDeflate));
            case "br" -> new BrotliInputStream(in);
            case "zstd" -> new ZstdInputStream(in);
            default -> null;
        };
    }

    /**
     * @param codings as {@link #codings(String)} returns them
     * @param encoded the start of the encoded body
     * @param limit   at most this many decoded bytes are returned
     * @return the decoded start, possibly empty; {@code null} for a coding this class does not know
     */
    public static byte[] decodeStart(List<String> codings, byte[] encoded, int limit) {
        byte[] data = encoded;
        for (int i = codings.size() - 1; i >= 0; i--) {
            data = decodeOne(codings.get(i), data, limit);
            if (data == null) {
                return null;
            }
        }
        return data;
    }

    private static byte[] decodeOne(String coding, byte[] data, int limit) {
        if (!CODINGS.contains(coding)) {
            return null;
        }
        if (coding.equals("br") && NativeBrotli.AVAILABLE) {
            return brotliStart(data, limit);
        }
        byte[] start = readStart(() -> open(coding, data, false), limit);
        if (coding.equals("deflate") && start.length == 0 && data.length >= 2) {
            start = readStart(() -> open(coding, data, true), limit);
        }
        return start;
    }

    /** The native decoder, pulled for output until it has {@code limit} bytes or needs input it does not have. */
    private static byte[] brotliStart(byte[] data, int limit) {
        DecoderJNI.Wrapper decoder;
        try {
            decoder = new DecoderJNI.Wrapper(Math.max(1, data.length));
        } catch (IOException e) {
            return readStart(() -> open("br", data, false), limit);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 4096));
        try {
            decoder.getInputBuffer().put(data);
            decoder.push(data.length);
            while (out.size() < limit) {
                DecoderJNI.Status status = decoder.getStatus();
                if (decoder.hasOutput() || status == DecoderJNI.Status.NEEDS_MORE_OUTPUT) {
                    ByteBuffer chunk = decoder.pull(limit - out.size());
                    byte[] bytes = new byte[chunk.remaining()];
                    chunk.get(bytes);
                    out.write(bytes, 0, bytes.length);
                } else if (status == DecoderJNI.Status.OK) {
                    decoder.push(0);
                } else {
                    // NEEDS_MORE_INPUT: all that arrived is decoded; DONE; or ERROR: corrupt.
                    break;
                }
            }
        } finally {
            decoder.destroy();
        }
        return out.toByteArray();
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    private static byte[] readStart(Opener opener, int limit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 4096));
        byte[] buffer = new byte[Math.min(limit, 4096)];
        try (InputStream in = opener.open()) {
            for (int n; out.size() < limit && (n = in.read(buffer, 0, Math.min(buffer.length, limit - out.size()))) > 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException endOfWhatArrived) {
            // Truncated input ends the decoding here (EOFException, or a decoder's own error for
            // data cut mid-block); so does corrupt input, which no client could read past either.
        }
        return out.toByteArray();
    }
}
