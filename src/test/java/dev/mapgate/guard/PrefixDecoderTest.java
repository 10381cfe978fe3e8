package dev.mapgate.guard;

import static org.assertj.core.api.Assertions.assertThat;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Decoding only the start of an encoded body, from what has arrived of it. */
class PrefixDecoderTest {

    private static final byte[] MAP = resource("vite-app.js.map");

    @Test
    void theStartOfATruncatedBodyDecodesInEveryCodingSentryAccepts() throws IOException {
        byte[] gzip = gzip(MAP);
        assertDecodesStart("gzip", Arrays.copyOf(gzip, gzip.length / 2));
        assertDecodesStart("br", Arrays.copyOf(resource("vite-app.js.map.br"), 200));
        // zstd decodes a whole block at a time (up to 128 KiB): a block cut short yields nothing yet.
        assertThat(PrefixDecoder.decodeStart(List.of("zstd"), Arrays.copyOf(resource("vite-app.js.map.zst"), 200), 64))
                .isEmpty();
        assertDecodesStart("zstd", resource("vite-app.js.map.zst"));
    }

    private static void assertDecodesStart(String coding, byte[] truncated) {
        byte[] start = PrefixDecoder.decodeStart(List.of(coding), truncated, 64);

        assertThat(new String(start, StandardCharsets.UTF_8)).as("%s, cut to %d bytes", coding, truncated.length)
                .startsWith("{\"version\":3");
        assertThat(SourceMapSniffer.isMap(PrefixDecoder.decodeStart(List.of(coding), truncated, SourceMapSniffer.WINDOW)))
                .as("%s: enough of it to tell it is a map", coding).isTrue();
    }

    @Test
    void anUnknownCodingIsUnreadable() {
        assertThat(PrefixDecoder.decodeStart(List.of("compress"), new byte[] {1, 2, 3}, 64)).isNull();
        assertThat(PrefixDecoder.canDecode(List.of("gzip", "br"))).isTrue();
        assertThat(PrefixDecoder.canDecode(List.of("x-custom"))).isFalse();
        assertThat(PrefixDecoder.codings("gzip, identity , BR")).containsExactly("gzip", "br");
    }

    @Test
    void corruptInputYieldsWhatDecodedBeforeTheFault() {
        assertThat(PrefixDecoder.decodeStart(List.of("gzip"), new byte[] {0x1f, (byte) 0x8b, 0, 0, 0}, 64)).isEmpty();
        assertThat(PrefixDecoder.decodeStart(List.of("br"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, 64)).isEmpty();
    }

    @Test
    void brotliUsesTheNativeDecoderWhichGivesTheFirstBytesWithoutDecodingAWholeMetaBlock() {
        // The content guard decodes the start of every br response on an ungated path, on the
        // event loop: the pure-Java decoder would allocate about 1 MB and take about 1 ms for each.
        assertThat(Brotli4jLoader.isAvailable()).as("brotli4j's native library loads here").isTrue();
        byte[] br = resource("vite-app.js.map.br");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 50; i++) {
            PrefixDecoder.decodeStart(List.of("br"), br, 512);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100; i++) {
            PrefixDecoder.decodeStart(List.of("br"), br, 512);
        }
        long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / 100;
        assertThat(perCall).as("heap bytes allocated per decodeStart of a br body").isLessThan(16 * 1024);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] resource(String name) {
        try (InputStream in = PrefixDecoderTest.class.getResourceAsStream("/guard/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
