package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DataUrlTest {

    private static String decoded(String url) {
        return new String(DataUrl.decode(url), StandardCharsets.UTF_8);
    }

    @Test
    void decodesBase64() {
        assertThat(decoded("data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==")).isEqualTo("{\"version\":3}");
    }

    @Test
    void decodesBase64WithACharsetParameterAndMissingPadding() {
        assertThat(decoded("data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozfQ")).isEqualTo("{\"version\":3}");
    }

    @Test
    void decodesPercentEncodedText() {
        assertThat(decoded("data:application/json,%7B%22version%22%3A3%7D")).isEqualTo("{\"version\":3}");
        assertThat(decoded("data:,Hello%2C%20World%21")).isEqualTo("Hello, World!");
    }

    @Test
    void theSchemeIsCaseInsensitive() {
        assertThat(DataUrl.isDataUrl("DATA:,x")).isTrue();
        assertThat(DataUrl.isDataUrl("data")).as("no colon: a relative path named data").isFalse();
    }

    @Test
    void refusesWhatSentryRefuses() {
        assertThatThrownBy(() -> DataUrl.decode("data:")).hasMessageContaining("comma");
        assertThatThrownBy(() -> DataUrl.decode("data:;base64,SGVsbG8sIFdvcmxkIQ="))
                .as("a stray = is not forgiven").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DataUrl.decode("data:;base64,abcde")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DataUrl.decode("data:;base64,ab*d")).hasMessageContaining("'*'");
    }

    @Test
    void ignoresWhitespaceInBase64() {
        assertThat(decoded("data:;base64,SGVs bG8s\nIFdv cmxk IQ==")).isEqualTo("Hello, World!");
    }
}
