package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExposureTest {

    private static final byte[] MAP = "{\"version\":3,\"sources\":[\"a.ts\"],\"mappings\":\"AAAA\"}".getBytes(StandardCharsets.UTF_8);
    private static final String URL = "https://cdn.example/app.js.map";

    private static CheckResult judge(int status, byte[] body) {
        return Exposure.judge("map-without-credential", URL, status, MAP, body, "text/html");
    }

    @Test
    void aRefusalIsOk() {
        for (int status : new int[] {401, 403, 404, 429, 500}) {
            assertThat(judge(status, "nope".getBytes(StandardCharsets.UTF_8)).status()).as("status %d", status).isEqualTo(Status.OK);
        }
    }

    @Test
    void theMapsBytesWithoutTheCredentialIsAFail() {
        CheckResult result = judge(200, MAP.clone());
        assertThat(result.status()).isEqualTo(Status.FAIL);
        assertThat(result.detail()).contains("your source is public");
        assertThat(judge(206, MAP.clone()).status()).isEqualTo(Status.FAIL);
    }

    @Test
    void anotherSourceMapWithoutTheCredentialIsAFailToo() {
        byte[] older = "{\"version\":3,\"sources\":[\"old.ts\"],\"mappings\":\"\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(judge(200, older).status()).as("a cached map of an older build is just as public").isEqualTo(Status.FAIL);
    }

    @Test
    void anUnrelated2xxIsAWarningThatSaysWhatCameBack() {
        CheckResult result = judge(200, "<!doctype html><title>app</title>".getBytes(StandardCharsets.UTF_8));
        assertThat(result.status()).isEqualTo(Status.WARN);
        assertThat(result.detail()).contains("text/html").contains("fallback");
    }
}
