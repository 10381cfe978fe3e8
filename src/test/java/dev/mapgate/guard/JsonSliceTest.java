package dev.mapgate.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Telling a slice of a map (UTF-8 JSON text) from a slice of a binary file. */
class JsonSliceTest {

    private static boolean slice(byte[] bytes) {
        return JsonSlice.couldBeMapText(bytes, bytes.length);
    }

    @Test
    void anySliceOfAMapCouldBeOne() {
        byte[] map = ("{\"version\":3,\"sources\":[\"café.ts\"],\"sourcesContent\":[\"const 名前 = '✓';\\n\"],"
                + "\"mappings\":\"AAAA,SAASA;AACA\"}").getBytes(StandardCharsets.UTF_8);
        for (int from = 0; from < map.length; from++) {
            for (int to = from + 1; to <= map.length; to++) {
                assertThat(slice(Arrays.copyOfRange(map, from, to))).as("bytes %d to %d", from, to).isTrue();
            }
        }
    }

    @Test
    void binaryDataIsNoSliceOfAMap() {
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        assertThat(slice(random)).as("random bytes").isFalse();
        assertThat(slice(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})).as("a PNG header").isFalse();
        assertThat(slice(new byte[] {'P', 'K', 3, 4})).as("a zip header").isFalse();
        assertThat(slice(new byte[] {'a', 0, 'b'})).as("a NUL byte").isFalse();
        assertThat(slice(new byte[] {'a', (byte) 0xc0, (byte) 0x80})).as("an overlong NUL").isFalse();
        assertThat(slice(new byte[] {(byte) 0xff, 'a'})).isFalse();
    }
}
