package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ContentDecodingTest {

    static final String TEXT = "function fee(n){return n*2}\n//# sourceMappingURL=app.3f2a1c9e.js.map\n";
    private static final long CAP = 1024 * 1024;

    /** {@code app.js.br} was written once by {@code brotli -q 11 -c app.js} (brotli 1.0.9); no pure-Java encoder exists. */
    static byte[] brotliFixture() throws IOException {
        try (InputStream in = ContentDecodingTest.class.getResourceAsStream("/verify/app.js.br")) {
            return in.readAllBytes();
        }
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    static byte[] deflate(byte[] data, boolean zlibWrapped) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflater = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, !zlibWrapped))) {
            deflater.write(data);
        }
        return out.toByteArray();
    }

    static byte[] zstd(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream zstd = new ZstdOutputStream(out)) {
            zstd.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] text() {
        return TEXT.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesGzip() throws Exception {
        assertThat(ContentDecoding.decode("gzip", gzip(text()), CAP)).isEqualTo(text());
        assertThat(ContentDecoding.decode("x-gzip", gzip(text()), CAP)).isEqualTo(text());
    }

    @Test
    void decodesDeflateZlibWrappedAndRaw() throws Exception {
        assertThat(ContentDecoding.decode("deflate", deflate(text(), true), CAP)).as("RFC 9110's zlib format").isEqualTo(text());
        assertThat(ContentDecoding.decode("deflate", deflate(text(), false), CAP)).as("raw, as some servers send").isEqualTo(text());
    }

    @Test
    void decodesTheCommittedBrotliFixture() throws Exception {
        assertThat(new String(ContentDecoding.decode("br", brotliFixture(), CAP), StandardCharsets.UTF_8)).isEqualTo(TEXT);
    }

    @Test
    void decodesZstd() throws Exception {
        assertThat(ContentDecoding.decode("zstd", zstd(text()), CAP)).isEqualTo(text());
    }

    @Test
    void undoesStackedCodingsLastFirst() throws Exception {
        byte[] twice = gzip(zstd(text()));
        assertThat(ContentDecoding.decode("zstd, gzip", twice, CAP)).isEqualTo(text());
    }

    @Test
    void identityAndNoHeaderLeaveTheBodyAlone() throws Exception {
        assertThat(ContentDecoding.decode(null, text(), CAP)).isEqualTo(text());
        assertThat(ContentDecoding.decode("identity", text(), CAP)).isEqualTo(text());
        assertThat(ContentDecoding.decode("GZIP", gzip(text()), CAP)).as("codings are case-insensitive").isEqualTo(text());
    }

    @Test
    void anUnknownCodingIsAnErrorNamingIt() {
        assertThatThrownBy(() -> ContentDecoding.decode("compress", text(), CAP))
                .hasMessageContaining("\"compress\"").hasMessageContaining("Sentry");
    }

    @Test
    void aCorruptBodyNamesItsCoding() {
        assertThatThrownBy(() -> ContentDecoding.decode("gzip", text(), CAP)).hasMessageContaining("not valid gzip");
        assertThatThrownBy(() -> ContentDecoding.decode("br", text(), CAP)).hasMessageContaining("not valid br");
        assertThatThrownBy(() -> ContentDecoding.decode("zstd", text(), CAP)).hasMessageContaining("not valid zstd");
    }

    @Test
    void stopsAtTheCapInsteadOfFillingMemory() throws Exception {
        byte[] zeros = gzip(new byte[4 * 1024 * 1024]);
        assertThat(zeros.length).as("a small bomb").isLessThan(64 * 1024);
        assertThatThrownBy(() -> ContentDecoding.decode("gzip", zeros, CAP)).hasMessageContaining("more than 1.0 MiB");
    }
}
