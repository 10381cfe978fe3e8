package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachePolicyTest {

    static HttpHeaders headers(String... namesAndValues) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.computeIfAbsent(namesAndValues[i], k -> new java.util.ArrayList<>()).add(namesAndValues[i + 1]);
        }
        return HttpHeaders.of(map, (a, b) -> true);
    }

    private static CheckResult judge(String... namesAndValues) {
        return CachePolicy.judge("caching", "https://cdn.example/app.js.map", 200, headers(namesAndValues));
    }

    @Test
    void privateOrNoStoreKeepTheMapOutOfSharedCaches() {
        assertThat(judge("Cache-Control", "private, no-store").status()).isEqualTo(Status.OK);
        assertThat(judge("Cache-Control", "no-store").status()).isEqualTo(Status.OK);
        assertThat(judge("Cache-Control", "max-age=60, PRIVATE").status()).as("directives are case-insensitive").isEqualTo(Status.OK);
        assertThat(judge("Cache-Control", "max-age=60", "Cache-Control", "private").status())
                .as("a directive in a second header line counts").isEqualTo(Status.OK);
        assertThat(judge("Cache-Control", "private=\"Set-Cookie\"").status()).isEqualTo(Status.OK);
    }

    @Test
    void anythingElseIsAFail() {
        for (String[] headers : List.of(new String[] {}, new String[] {"Cache-Control", "public, max-age=600"},
                new String[] {"Cache-Control", "no-cache"}, new String[] {"Cache-Control", "s-maxage=600"},
                new String[] {"Cache-Control", "x-private"})) {
            CheckResult result = judge(headers);
            assertThat(result.status()).as(Arrays.toString(headers)).isEqualTo(Status.FAIL);
            assertThat(result.detail()).contains("shared cache");
        }
    }

    @Test
    void reportsTheCdnHintsItSees() {
        CheckResult result = judge("Cache-Control", "private, no-store", "Age", "0", "Via", "1.1 varnish",
                "CF-Cache-Status", "DYNAMIC");
        assertThat(result.status()).isEqualTo(Status.OK);
        assertThat(result.detail()).contains("Age: 0").contains("Via: 1.1 varnish").contains("CF-Cache-Status: DYNAMIC");
    }

    @Test
    void aCacheHitDespitePrivateIsAWarning() {
        assertThat(judge("Cache-Control", "private", "Age", "120").status()).isEqualTo(Status.WARN);
        assertThat(judge("Cache-Control", "private", "X-Cache", "Hit from cloudfront").status()).isEqualTo(Status.WARN);
        assertThat(judge("Cache-Control", "private", "CF-Cache-Status", "HIT").status()).isEqualTo(Status.WARN);
        assertThat(judge("Cache-Control", "private", "X-Cache", "MISS").status()).isEqualTo(Status.OK);
        assertThat(judge("Cache-Control", "public", "CF-Cache-Status", "HIT").status())
                .as("still a FAIL when the headers allow caching").isEqualTo(Status.FAIL);
    }
}
