package dev.mapgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads mapgate's admin /metrics in the Prometheus text format, as a scraper would. */
public final class MetricsScrape {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private MetricsScrape() {
    }

    /** The whole scrape from the admin listener on 127.0.0.1:{@code adminPort}. */
    public static String of(int adminPort) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET /metrics").isEqualTo(200);
        return response.body();
    }

    /** The sum of the samples of {@code name} whose labels include every one of {@code labels}. */
    public static double value(String scrape, String name, String... labels) {
        double sum = 0;
        boolean found = false;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
        while (m.find()) {
            String set = m.group(1) == null ? "" : m.group(1);
            if (Arrays.stream(labels).allMatch(set::contains)) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        assertThat(found).as("%s%s in the scrape", name, Arrays.toString(labels)).isTrue();
        return sum;
    }
}
