package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VersionedUrlTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "https://cdn.example/static/js/main.3f2a1c9e.js",                  // CRA, webpack [contenthash:8]
        "https://cdn.example/static/js/main.3f2a1c9e.chunk.js",
        "https://cdn.example/js/app.9b1e2f4c7d6a5b3e8f01.js",              // webpack 5 default, 20 hex
        "https://cdn.example/_next/static/chunks/main-3f2a1c9e5d6b7a8c.js", // Next.js
        "https://cdn.example/assets/index-DiwrgTda.js",                    // Vite / Rollup
        "https://cdn.example/assets/index-BwU7X8-m.js",                    // a Rollup hash with a dash in it
        "https://cdn.example/assets/index-Ab_9xYzq.js",
        "https://cdn.example/chunk-5TZQIDX6.js",                           // esbuild
        "https://cdn.example/3f2a1c9e/app.js",                             // hash directory
        "https://cdn.example/_next/static/aBcD1234efGH5678ijk/pages/x.js", // build id directory
        "https://cdn.example/20240115/app.js",
        "https://cdn.example/lib/jquery-3.7.1.min.js",                     // version in the name
        "https://cdn.example/1.4.2/app.js",
        "https://cdn.example/v2.3/app.js",
        "https://cdn.example/app.js?v=3",
        "https://cdn.example/app.js?x=1&version=2024.1",
        "https://cdn.example/app.js?hash=abc"})
    void recognisesVersionedUrls(String url) {
        assertThat(VersionedUrl.evidence(URI.create(url))).as(url).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://cdn.example/app.js",
        "https://cdn.example/assets/app.js",
        "https://cdn.example/static/js/bundle.js",
        "https://cdn.example/MyComponent.js",
        "https://cdn.example/assets/Components/app.js",
        "https://cdn.example/vendor-react-dom.js",
        "https://cdn.example/polyfills-es2015.js",
        "https://cdn.example/es2015-polyfills.js",
        "https://cdn.example/v2/app.js",
        "https://cdn.example/deadbeefcafe/app.js",
        "https://cdn.example/app.js?v=",
        "https://cdn.example/app.js?lang=en",
        "https://cdn.example/"})
    void warnsAboutUrlsWithoutAVersion(String url) {
        assertThat(VersionedUrl.evidence(URI.create(url))).as(url).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void saysWhatItFoundAndWhere() {
        assertThat(VersionedUrl.evidence(URI.create("https://cdn.example/assets/index-BwU7X8-m.js")))
                .hasValue("hash \"BwU7X8-m\" in the file name");
        assertThat(VersionedUrl.evidence(URI.create("https://cdn.example/js/main.3f2a1c9e.js")))
                .hasValue("content hash \"3f2a1c9e\" in the path");
        assertThat(VersionedUrl.evidence(URI.create("https://cdn.example/app.js?v=3"))).hasValue("query parameter v=3 in the URL");
    }
}
