package dev.mapgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsWithEnvironment;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.Route;
import dev.mapgate.testing.RequiredTools;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configs src/bench/run starts: mapgate's must load and keep the rules the nginx and HAProxy
 * configs copy, and those two must be accepted by their programs. Without nginx or haproxy
 * installed, their check is skipped (the benchmark itself says what to install).
 */
class BenchConfigsTest {

    private static final Path BENCH = Path.of("src/bench");
    private static final Pattern PLACEHOLDER = Pattern.compile("@([A-Z_]+)@");
    /** How run's render() names one: a sed expression {@code s|@NAME@|value|g}. */
    private static final Pattern FILLED = Pattern.compile("s\\|@([A-Z_]+)@\\|");
    private static final String TOKEN = "bench-token";
    private static final Map<String, String> VALUES = Map.of(
            "ORIGIN_PORT", "20001", "GATE_PORT", "20002", "WORKERS", "2", "ORIGIN_WORKERS", "1",
            "TOKEN", TOKEN, "LOG_ON", "", "LOG_OFF", "# ", "TRANSPORT", "auto");

    @TempDir
    Path work;

    @Test
    void runFillsInEveryPlaceholderTheTemplatesUse() throws IOException {
        Set<String> filled = names(FILLED, read(BENCH.resolve("run")));

        for (String template : List.of("nginx-origin.conf", "nginx-gate.conf", "haproxy-gate.cfg", "mapgate-bench.conf")) {
            assertThat(filled).as("placeholders in %s that run's render() leaves in place", template)
                    .isNotEmpty().containsAll(names(PLACEHOLDER, read(BENCH.resolve(template))));
        }
    }

    @Test
    void mapgateGetsAsManyIoThreadsAsTheOtherProxiesGetWorkers() throws IOException {
        Settings settings = loadMapgateConfig();

        assertThat(settings.listen().ioThreads()).isEqualTo(2);
        assertThat(settings.listen().host()).as("the benchmark stays on loopback").isEqualTo("127.0.0.1");
        assertThat(settings.origin().url()).hasToString("http://127.0.0.1:20001");
    }

    @Test
    void mapgateKeepsTheGateRulesTheNginxAndHaproxyConfigsCopy() throws IOException {
        GatePolicy gate = loadMapgateConfig().gate().policy();
        InetAddress allowed = InetAddress.getByName("127.0.0.1");
        InetAddress other = InetAddress.getByName("127.0.0.2");

        assertThat(gate.decide("/app.js", allowed, null, null).route()).as("assets pass").isEqualTo(Route.PASS);
        assertThat(gate.decide("/app.js.map", allowed, TOKEN, null).allowed()).as("token from 127.0.0.1").isTrue();
        assertThat(List.of(
                gate.decide("/app.js.map", allowed, null, null),
                gate.decide("/app.js.map", allowed, "wrong", null),
                gate.decide("/app.js.map", other, TOKEN, null),
                gate.decide("/app.js.MAP", allowed, null, null)))
                .as("no token, a wrong token, another address, an upper-case suffix")
                .extracting(Decision::allowed).containsOnly(false);
    }

    @Test
    void nginxAcceptsTheOriginAndTheGateConfigs() throws Exception {
        Path nginx = RequiredTools.nginx();
        for (String template : List.of("nginx-origin.conf", "nginx-gate.conf")) {
            Path conf = render(template);
            Result result = run(nginx.toString(), "-t", "-q", "-p", work + "/", "-c", conf.toString(),
                    "-e", work.resolve("error.log").toString());
            assertThat(result.exit()).as("nginx -t on %s: %s", template, result.output()).isZero();
        }
    }

    @Test
    void haproxyAcceptsTheGateConfig() throws Exception {
        Path haproxy = Path.of("/usr/sbin/haproxy");
        assumeTrue(Files.isExecutable(haproxy), "haproxy is not installed (apt-get install haproxy)");
        Path conf = render("haproxy-gate.cfg");

        Result result = run(haproxy.toString(), "-c", "-f", conf.toString());

        assertThat(result.exit()).as("haproxy -c: %s", result.output()).isZero();
    }

    private Settings loadMapgateConfig() throws IOException {
        // An empty environment: the MAPGATE_* variables of whoever runs the tests must not count.
        return SettingsWithEnvironment.load(render("mapgate-bench.conf"), Map.of());
    }

    /** The template with the placeholders filled in as run does, written to the temp folder. */
    private Path render(String template) throws IOException {
        Map<String, String> values = new HashMap<>(VALUES);
        values.put("WORK", work.toString());
        values.put("SITE", work.toString());
        Matcher matcher = PLACEHOLDER.matcher(read(BENCH.resolve(template)));
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(values.get(matcher.group(1))));
        }
        matcher.appendTail(out);
        Path file = work.resolve(template);
        Files.writeString(file, out, StandardCharsets.UTF_8);
        return file;
    }

    private static Set<String> names(Pattern pattern, String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
