package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentTypesTest {

    @Test
    void javascriptIsServedAsUtf8TextJavascript() {
        assertThat(ContentTypes.forFileName("app.3f9a.js")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(ContentTypes.forFileName("chunk.mjs")).isEqualTo("text/javascript; charset=utf-8");
    }

    @Test
    void sourceMapIsJsonByItsLastExtension() {
        assertThat(ContentTypes.forFileName("app.js.map"))
                .as("only the last extension counts, otherwise maps would be served as JavaScript")
                .isEqualTo("application/json; charset=utf-8");
    }

    @Test
    void extensionsMatchRegardlessOfCase() {
        assertThat(ContentTypes.forFileName("INDEX.HTML")).isEqualTo("text/html; charset=utf-8");
    }

    @Test
    void unknownOrMissingExtensionFallsBackToOctetStream() {
        assertThat(ContentTypes.forFileName("LICENSE")).isEqualTo("application/octet-stream");
        assertThat(ContentTypes.forFileName("archive.tar.zst")).isEqualTo("application/octet-stream");
        assertThat(ContentTypes.forFileName("trailing.")).isEqualTo("application/octet-stream");
    }

    @Test
    void binaryAssetsGetTheirRegisteredTypes() {
        assertThat(ContentTypes.forFileName("logo.svg")).isEqualTo("image/svg+xml");
        assertThat(ContentTypes.forFileName("font.woff2")).isEqualTo("font/woff2");
        assertThat(ContentTypes.forFileName("module.wasm"))
                .as("browsers refuse streaming wasm compilation without this exact type")
                .isEqualTo("application/wasm");
    }
}
