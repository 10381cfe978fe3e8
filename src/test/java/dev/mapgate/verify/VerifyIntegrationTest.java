package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code mapgate verify} run in-process against real loopback servers: a real mapgate in front of
 * the usual test origin, and scripted origins for the cases a CDN or a bundler produces.
 */
class VerifyIntegrationTest {

    private static final String TOKEN = "verify-token-4f1d8c2a9e";
    private static final String MAP = "{\"version\":3,\"sources\":[\"src/fee.ts\"],"
            + "\"sourcesContent\":[\"export const fee = (n: number) => n * 2;\"],\"names\":[\"fee\"],\"mappings\":\"AAAAA\"}";

    @TempDir
    static Path dir;

    private static TestOrigin testOrigin;
    private static TestMapgate gate;
    private static TestMapgate ipOnlyGate;
    private static TestMapgate sitesGate;
    private static final String SHOP_TOKEN = "verify-shop-token-7b2e9d0c41";

    @BeforeAll
    static void start() throws IOException {
        testOrigin = new TestOrigin();
        gate = TestMapgate.start(dir, """
                origin.url = "%s"
                gate {
                  allow-ips = ["127.0.0.1"]
                  token.tokens = [ { name = "sentry", value = "%s" } ]
                }
                """.formatted(testOrigin.url(), TOKEN));
        // The misconfiguration verify exists to catch: the address check alone, and the machine
        // running verify is in allow-ips, as anyone could be who shares an allowed address.
        ipOnlyGate = TestMapgate.start(dir, """
                origin.url = "%s"
                gate {
                  require = [ip]
                  allow-ips = ["127.0.0.1"]
                }
                """.formatted(testOrigin.url()));
        sitesGate = TestMapgate.start(dir, """
                origin.url = "%s"
                gate {
                  allow-ips = ["127.0.0.1"]
                  sites = [ { name = shop, path-prefixes = ["/assets/"], token.tokens = [ { name = sentry, value = "%s" } ] } ]
                }
                """.formatted(testOrigin.url(), SHOP_TOKEN));
    }

    @AfterAll
    static void stop() {
        gate.close();
        ipOnlyGate.close();
        sitesGate.close();
        testOrigin.close();
    }

    /** The outcome of one run of the command. */
    record Run(int exit, String out, String err) {
        /** The checklist line of the named check. */
        String line(String check) {
            return out.lines().filter(l -> l.matches("  (ok|warn|FAIL) +" + check + " .*")).findFirst()
                    .orElseThrow(() -> new AssertionError("no line for " + check + " in:\n" + out + err));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n" + out + err;
        }
    }

    private static Run verify(String... args) {
        return verify(Map.of(), args);
    }

    private static Run verify(Map<String, String> environment, String... args) {
        return verify(environment, false, args);
    }

    private static Run verify(Map<String, String> environment, boolean terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new VerifyCommand(environment::get, () -> terminal));
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String gateUrl(TestMapgate mapgate, String path) {
        return "http://127.0.0.1:" + mapgate.address().getPort() + path;
    }

    private static String js(String reference) {
        return "function fee(n){return n*2}\n//# sourceMappingURL=" + reference + "\n";
    }

    // --- mapgate in front of an origin ---------------------------------------------------------

    @Test
    void aCorrectlyConfiguredMapgatePassesWithWarningsOnly() {
        String url = gateUrl(gate, "/assets/app.js");
        Run run = verify(url, "--token", TOKEN);

        assertThat(run.exit()).as("warnings do not fail the run: %s", run).isZero();
        assertThat(run.line("js")).contains(" 200  " + url);
        assertThat(run.line("map-reference")).contains(url + ".map");
        assertThat(run.line("map")).startsWith("  ok").contains(" 200  ").contains("valid source map v3, 1 source");
        assertThat(run.line("sources")).startsWith("  ok").contains("sourcesContent");
        assertThat(run.line("map-without-credential")).startsWith("  ok").contains(" 404  ").contains("refused");
        assertThat(run.line("caching")).startsWith("  ok").contains("private").contains("no-store");
        assertThat(run.line("versioned-url")).as("/assets/app.js has no hash").startsWith("  warn");
        assertThat(run.line("ipv4")).as("Sentry cannot reach loopback").startsWith("  warn").contains("127.0.0.1");
        assertThat(run.line("redirects")).startsWith("  ok").contains("none");
        assertThat(run.out()).contains("0 FAIL").doesNotContain(TOKEN);
        assertThat(run.err()).isEmpty();
    }

    @Test
    void saysWhichOfMapgatesSitesServedTheMapAndFailsWhenItIsNotTheExpectedOne() {
        String url = gateUrl(sitesGate, "/assets/app.js");

        Run run = verify(url, "--token", SHOP_TOKEN);
        assertThat(run.exit()).as("%s", run).isZero();
        assertThat(run.line("site")).startsWith("  ok").contains("site 'shop' served the map");
        assertThat(verify(url, "--token", SHOP_TOKEN, "--site", "shop").exit()).isZero();

        Run other = verify(url, "--token", SHOP_TOKEN, "--site", "blog");
        assertThat(other.exit()).as("%s", other).isEqualTo(1);
        assertThat(other.line("site")).startsWith("  FAIL").contains("expected mapgate's site 'blog'")
                .contains("site 'shop' answered");

        Run noSite = verify(gateUrl(gate, "/assets/app.js"), "--token", TOKEN, "--site", "shop");
        assertThat(noSite.exit()).as("%s", noSite).isEqualTo(1);
        assertThat(noSite.line("site")).startsWith("  FAIL").contains("names no site");
        assertThat(verify(gateUrl(gate, "/assets/app.js"), "--token", TOKEN).out().lines())
                .as("no site line when none answered and none was expected")
                .noneMatch(line -> line.matches("  (ok|warn|FAIL) +site .*"));
    }

    @Test
    void aGateThatChecksOnlyTheAddressLeavesTheMapPublic() {
        Run run = verify(gateUrl(ipOnlyGate, "/assets/app.js"), "--token", TOKEN);

        assertThat(run.exit()).as("%s", run).isEqualTo(1);
        assertThat(run.line("map-without-credential")).startsWith("  FAIL").contains(" 200  ")
                .contains("your source is public");
        assertThat(run.line("map")).as("Sentry itself gets the map").startsWith("  ok");
    }

    @Test
    void aWrongTokenFailsTheMapCheckWithMapgatesDenial() {
        Run run = verify(gateUrl(gate, "/assets/app.js"), "--token", "not-the-token");

        assertThat(run.exit()).as("%s", run).isEqualTo(1);
        assertThat(run.line("map")).startsWith("  FAIL").contains(" 404  ").contains("not found");
        assertThat(run.line("caching")).as("nothing to judge").startsWith("  warn").contains("not checked");
    }

    @Test
    void theTokenMayComeFromAFileOrTheEnvironmentAndTheHeaderNameIsConfigurable() throws IOException {
        Path tokenFile = dir.resolve("sentry-token");
        Files.writeString(tokenFile, TOKEN + "\n");
        assertThat(verify(gateUrl(gate, "/assets/app.js"), "--token-file", tokenFile.toString()).exit()).isZero();
        assertThat(verify(Map.of(VerifyCommand.TOKEN_ENV, TOKEN), gateUrl(gate, "/assets/app.js")).exit()).isZero();
        Run otherHeader = verify(gateUrl(gate, "/assets/app.js"), "--token", TOKEN, "--header", "X-Other-Token");
        assertThat(otherHeader.line("map")).as("mapgate reads X-Sentry-Token").startsWith("  FAIL");
    }

    @Test
    void jsonCarriesTheSameChecksAsTheChecklist() throws IOException {
        String url = gateUrl(gate, "/assets/app.js");
        Run text = verify(url, "--token", TOKEN);
        Run json = verify(url, "--token", TOKEN, "--json");

        assertThat(json.exit()).isEqualTo(text.exit());
        JsonNode report = new ObjectMapper().readTree(json.out());
        assertThat(report.get("url").asText()).isEqualTo(url);
        assertThat(report.get("result").asText()).isEqualTo("warn");
        assertThat(report.get("exitCode").asInt()).isZero();
        List<String> names = new ArrayList<>();
        for (JsonNode check : report.get("checks")) {
            names.add(check.get("name").asText());
            assertThat(text.line(check.get("name").asText()).strip()).startsWith(check.get("status").asText().replace("fail", "FAIL"));
        }
        assertThat(names).containsExactly("js", "map-reference", "map", "sources", "map-without-credential",
                "siblings-without-credential",
                "sources-without-credential", "caching", "versioned-url", "ipv4", "redirects");
        assertThat(report.get("checks").get(2).get("httpStatus").asInt()).isEqualTo(200);
    }

    @Test
    void colourOnlyOnATerminalWithoutNoColorOrWhenAskedFor() {
        String url = gateUrl(gate, "/assets/app.js");
        String green = "\u001B[32mok\u001B[0m";
        assertThat(verify(Map.of(), true, url, "--token", TOKEN).out()).contains(green);
        assertThat(verify(Map.of("NO_COLOR", "1"), true, url, "--token", TOKEN).out()).doesNotContain("\u001B");
        assertThat(verify(Map.of(), false, url, "--token", TOKEN).out()).as("piped").doesNotContain("\u001B");
        assertThat(verify(Map.of(), false, url, "--token", TOKEN, "--color=always").out()).contains(green);
        assertThat(verify(Map.of(), true, url, "--token", TOKEN, "--color=never").out()).doesNotContain("\u001B");
    }

    // --- what a Sentry-like client sends -------------------------------------------------------

    @Test
    void fetchesWithSentrysHeadersAndAsksForTheFirstPart() throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.3f2a1c9e.js", "text/javascript", js("app.3f2a1c9e.js.map"))
                    .gated("/app.3f2a1c9e.js.map", TOKEN, "application/json", MAP, "Cache-Control", "private, no-store");
            Run run = verify(origin.url("/app.3f2a1c9e.js"), "--token", TOKEN);

            assertThat(run.exit()).as("%s", run).isZero();
            assertThat(run.line("versioned-url")).startsWith("  ok").contains("3f2a1c9e");
            ScriptedOrigin.Seen map = origin.seen("/app.3f2a1c9e.js.map").get(0);
            assertThat(map.header("User-Agent")).isEqualTo(SentryFetcher.USER_AGENT);
            assertThat(map.header("Accept-Encoding")).isEqualTo("br, deflate, gzip, zstd");
            assertThat(map.header("Range")).isEqualTo("bytes=0-134217727");
            assertThat(map.header(ScriptedOrigin.TOKEN_HEADER)).isEqualTo(TOKEN);
            assertThat(origin.seen("/app.3f2a1c9e.js").get(0).header(ScriptedOrigin.TOKEN_HEADER))
                    .as("Sentry sends the token on every scraped URL").isEqualTo(TOKEN);
            ScriptedOrigin.Seen anonymous = origin.seen("/app.3f2a1c9e.js.map").get(1);
            assertThat(anonymous.header(ScriptedOrigin.TOKEN_HEADER)).isNull();
            assertThat(anonymous.header("Authorization")).isNull();
        }
    }

    @Test
    void acceptsA206WithAValidContentRangeAndWarnsWhenTheRangeIsMangled() throws IOException {
        byte[] map = MAP.getBytes(StandardCharsets.UTF_8);
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/a/good.js", "text/javascript", js("good.js.map"))
                    .file("/a/bad.js", "text/javascript", js("bad.js.map"))
                    .route("/a/good.js.map", ex -> partial(ex, map, "bytes 0-" + (map.length - 1) + "/" + map.length))
                    .route("/a/bad.js.map", ex -> partial(ex, map, "bytes 0-" + (map.length - 1) + "/*"));
            Run good = verify(origin.url("/a/good.js"), "--token", TOKEN);
            assertThat(good.line("map")).startsWith("  ok").contains(" 206  ").contains("valid Content-Range");

            Run bad = verify(origin.url("/a/bad.js"), "--token", TOKEN);
            assertThat(bad.line("map")).startsWith("  warn").contains("without Range");
            assertThat(origin.seen("/a/bad.js.map")).as("asked again without Range, as Sentry does")
                    .anySatisfy(s -> assertThat(s.header("Range")).isNull());
        }
    }

    private static void partial(com.sun.net.httpserver.HttpExchange exchange, byte[] body, String contentRange)
            throws IOException {
        if (exchange.getRequestHeaders().getFirst("Range") == null) {
            exchange.getResponseHeaders().add("Cache-Control", "private");
            ScriptedOrigin.send(exchange, 200, "application/json", body);
            return;
        }
        exchange.getResponseHeaders().add("Content-Range", contentRange);
        exchange.getResponseHeaders().add("Cache-Control", "private");
        ScriptedOrigin.send(exchange, 206, "application/json", body);
    }

    // --- caching -------------------------------------------------------------------------------

    @Test
    void aMapServedWithCacheControlPublicFailsTheCachingCheck() throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js("app.js.map"))
                    .gated("/app.js.map", TOKEN, "application/json", MAP, "Cache-Control", "public, max-age=600",
                            "Via", "1.1 varnish", "X-Cache", "MISS");
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).as("%s", run).isEqualTo(1);
            assertThat(run.line("caching")).startsWith("  FAIL").contains("public, max-age=600")
                    .contains("Via: 1.1 varnish").contains("X-Cache: MISS").contains("shared cache");
            assertThat(run.line("map-without-credential")).as("only the caching is wrong here").startsWith("  ok");
        }
    }

    // --- finding and resolving the reference ---------------------------------------------------

    @Test
    void aFileWithoutAMapReferenceCannotBeChecked() throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", "function fee(n){return n*2}\n/*# sourceMappingURL=app.css.map */\n");
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.out()).isEmpty();
            assertOneCleanLine(run, "no \"//# sourceMappingURL=\" comment");
        }
    }

    @Test
    void resolvesARelativeReferenceAgainstTheFilesDirectory() throws IOException {
        assertResolves("/static/js/app.js", "../maps/./app.js.map?v=2#x", "/static/maps/app.js.map");
    }

    @Test
    void resolvesARootRelativeReferenceAgainstTheHost() throws IOException {
        assertResolves("/static/js/app.js", "/maps/app.js.map", "/maps/app.js.map");
    }

    private static void assertResolves(String jsPath, String reference, String mapPath) throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file(jsPath, "text/javascript", js(reference))
                    .gated(mapPath, TOKEN, "application/json", MAP, "Cache-Control", "private");
            Run run = verify(origin.url(jsPath), "--token", TOKEN);

            assertThat(run.line("map-reference")).contains(origin.url(mapPath) + "  ");
            assertThat(run.line("map")).startsWith("  ok");
        }
    }

    @Test
    void resolvesAProtocolRelativeReferenceWithTheFilesScheme() throws IOException {
        try (ScriptedOrigin assets = new ScriptedOrigin(); ScriptedOrigin maps = new ScriptedOrigin()) {
            assets.file("/app.js", "text/javascript", js("//127.0.0.1:" + maps.port() + "/app.js.map"));
            maps.gated("/app.js.map", TOKEN, "application/json", MAP, "Cache-Control", "private");
            Run run = verify(assets.url("/app.js"), "--token", TOKEN);

            assertThat(run.line("map-reference")).contains(maps.url("/app.js.map") + "  ");
            assertThat(run.line("map")).startsWith("  ok");
            assertThat(maps.seen("/app.js.map").get(0).header(ScriptedOrigin.TOKEN_HEADER))
                    .as("the token follows the map to another port of the verified host").isEqualTo(TOKEN);
        }
    }

    @Test
    void anInlineDataMapNeedsNoRequestButFailsAsItIsAsPublicAsItsFile() throws IOException {
        String inline = "data:application/json;charset=utf-8;base64,"
                + Base64.getEncoder().encodeToString(MAP.getBytes(StandardCharsets.UTF_8));
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js(inline));
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).as("the source is public inside the JavaScript: %s", run).isEqualTo(1);
            assertThat(run.line("map-reference")).startsWith("  ok").contains("inline data: URL");
            assertThat(run.line("map")).startsWith("  ok").contains("valid source map v3");
            assertThat(run.line("map-without-credential")).startsWith("  FAIL").contains("inside the JavaScript file");
            assertThat(run.line("caching")).startsWith("  ok").contains("inline");
            assertThat(origin.seen()).extracting(ScriptedOrigin.Seen::path).doesNotContain("/app.js.map");
        }
    }

    @Test
    void anInlineMapFailsAlsoWhenAnExternalReferenceFollowsIt() throws IOException {
        String inline = "data:application/json;base64," + Base64.getEncoder().encodeToString(MAP.getBytes(StandardCharsets.UTF_8));
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js(inline) + "//# sourceMappingURL=app.js.map\n")
                    .gated("/app.js.map", TOKEN, "application/json", MAP, "Cache-Control", "private, no-store");
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).as("%s", run).isEqualTo(1);
            assertThat(run.line("inline-map")).startsWith("  FAIL").contains("inline data: source map");
            assertThat(run.line("map")).as("the map Sentry follows is still checked").startsWith("  ok");
        }
    }

    @Test
    void aCopyOfTheMapUnderASiblingNameServedToAnyoneFailsNamingItsUrl() throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js("app.js.map"))
                    .gated("/app.js.map", TOKEN, "application/json", MAP, "Cache-Control", "private, no-store")
                    // What a compression plugin leaves beside the map, served as a plain file.
                    .file("/app.js.map.gz", "application/gzip", gzip(MAP.getBytes(StandardCharsets.UTF_8)))
                    .file("/app.js.map.bak", "application/octet-stream", MAP);
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.line("map-without-credential")).startsWith("  ok");
            assertThat(run.line("siblings-without-credential")).startsWith("  FAIL")
                    .contains(origin.url("/app.js.map.gz")).contains(origin.url("/app.js.map.bak"));
            assertThat(origin.seen("/app.js.map.br")).as("every sibling name is asked for").hasSize(1);
            assertThat(origin.seen("/app.js.map.gz")).allSatisfy(s -> assertThat(s.header("X-Sentry-Token")).isNull());
        }
    }

    @Test
    void theTokenGoesOnlyToTheVerifiedHostUnlessAnotherIsNamed() throws IOException {
        String map = "{\"version\":3,\"sources\":[\"http://localhost:%d/src/fee.ts\"],\"mappings\":\"AAAA\"}";
        try (ScriptedOrigin origin = new ScriptedOrigin(); ScriptedOrigin other = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js("app.js.map"))
                    .gated("/app.js.map", TOKEN, "application/json", map.formatted(other.port()), "Cache-Control", "private");
            other.gated("/src/fee.ts", TOKEN, "text/plain", "export const fee = 1;");

            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(other.seen()).as("the map's sources live on another host: no token goes there")
                    .isNotEmpty().allSatisfy(s -> assertThat(s.header("X-Sentry-Token")).isNull());
            assertThat(run.line("sources")).startsWith("  FAIL").contains("the credential was not sent")
                    .contains("--credential-host localhost");
            assertThat(origin.seen("/app.js").get(0).header("X-Sentry-Token")).isEqualTo(TOKEN);

            Run named = verify(origin.url("/app.js"), "--token", TOKEN, "--credential-host", "localhost:" + other.port());
            assertThat(named.line("sources")).as("%s", named).startsWith("  ok");
            assertThat(other.seen("/src/fee.ts")).anySatisfy(s -> assertThat(s.header("X-Sentry-Token")).isEqualTo(TOKEN));
        }
    }

    @Test
    @Heavy
    void aCompressionBombEndsWithOneLineAndExitTwoInASmallHeap() throws Exception {
        byte[] bomb = zeros(512L << 20);
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js("app.js.map"))
                    .file("/app.js.map", "application/json", bomb, "Content-Encoding", "gzip");
            MapgateJvm.Finished finished = TestMapgate.jvm().jvmOptions(List.of("-Xmx128m"))
                    .run("", "verify", origin.url("/app.js"), "--token", TOKEN);

            assertThat(finished.exit()).as("%s", finished).isEqualTo(2);
            assertThat(finished.stderr().strip().lines()).as("one line: %s", finished.stderr()).hasSize(1);
            assertThat(finished.stderr()).contains("once gzip-decoded").contains("app.js.map")
                    .doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
        }
    }

    @Test
    @Heavy
    void aBodyThatTricklesIsCutByTheTimeLimit() throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js("app.js.map"))
                    .route("/app.js.map", ex -> {
                        ex.getResponseHeaders().add("Content-Type", "application/json");
                        ex.sendResponseHeaders(200, 0);
                        try (var out = ex.getResponseBody()) {
                            for (int i = 0; i < 100; i++) {
                                out.write('{');
                                out.flush();
                                Thread.sleep(200);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (IOException hungUp) {
                            // verify gave up, as it should
                        }
                    });
            long start = System.nanoTime();
            Run run = verify(origin.url("/app.js"), "--token", TOKEN, "--timeout", "2");
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;

            assertThat(run.line("map")).startsWith("  FAIL").contains("took longer than 2 s");
            assertThat(seconds).as("cut at the limit, not at the end of the trickle").isLessThan(10);
        }
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    /** {@code count} zero bytes, gzipped: about a thousandth of their size. */
    private static byte[] zeros(long count) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] block = new byte[1 << 20];
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out, 1 << 16)) {
            for (long left = count; left > 0; left -= block.length) {
                gzip.write(block, 0, (int) Math.min(block.length, left));
            }
        }
        return out.toByteArray();
    }

    // --- encodings -----------------------------------------------------------------------------

    @Test
    void decodesGzipBrotliAndZstdBodies() throws IOException {
        byte[] text = ContentDecodingTest.TEXT.getBytes(StandardCharsets.UTF_8);
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/gz/app.3f2a1c9e.js", "text/javascript", ContentDecodingTest.gzip(text), "Content-Encoding", "gzip")
                    .file("/br/app.3f2a1c9e.js", "text/javascript", ContentDecodingTest.brotliFixture(), "Content-Encoding", "br")
                    .file("/zs/app.3f2a1c9e.js", "text/javascript", ContentDecodingTest.zstd(text), "Content-Encoding", "zstd");
            for (String coding : List.of("gz", "br", "zs")) {
                origin.gated("/" + coding + "/app.3f2a1c9e.js.map", TOKEN, "application/json", MAP, "Cache-Control", "private");
            }
            Run gzip = verify(origin.url("/gz/app.3f2a1c9e.js"), "--token", TOKEN);
            Run brotli = verify(origin.url("/br/app.3f2a1c9e.js"), "--token", TOKEN);
            Run zstd = verify(origin.url("/zs/app.3f2a1c9e.js"), "--token", TOKEN);

            assertThat(gzip.line("js")).startsWith("  ok").contains("gzip, ").contains("-> " + text.length + " B");
            assertThat(brotli.line("js")).startsWith("  ok").contains("br, 74 B -> " + text.length + " B");
            assertThat(zstd.line("js")).startsWith("  ok").contains("zstd, ");
            for (Run run : List.of(gzip, brotli, zstd)) {
                assertThat(run.line("map")).as("the reference was read from the decoded body").startsWith("  ok");
            }
        }
    }

    @Test
    void aMapInAnEncodingSentryDoesNotKnowFailsNamingIt() throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js("app.js.map"))
                    .gated("/app.js.map", TOKEN, "application/json", MAP, "Content-Encoding", "compress", "Cache-Control", "private");
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.line("map")).startsWith("  FAIL").contains("\"compress\"");
        }
    }

    @Test
    void aFileThatIsNotUtf8FailsAtTheFirstBadByte() throws IOException {
        byte[] latin1 = js("app.js.map").replace("fee", "fée").getBytes(StandardCharsets.ISO_8859_1);
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", latin1)
                    .gated("/app.js.map", TOKEN, "application/json", MAP, "Cache-Control", "private");
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.line("js")).startsWith("  FAIL").contains("not valid UTF-8 at byte 10");
        }
    }

    // --- redirects -----------------------------------------------------------------------------

    @Test
    void followsARedirectChainAndCountsIt() throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.redirect("/app.js", 301, "/r1/app.js").redirect("/r1/app.js", 307, "/r2/app.js")
                    .redirect("/r2/app.js", 308, "/r3/app.js")
                    .file("/r3/app.js", "text/javascript", js("/app.js.map"))
                    .gated("/app.js.map", TOKEN, "application/json", MAP, "Cache-Control", "private");
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).as("%s", run).isZero();
            assertThat(run.line("redirects")).startsWith("  ok").contains("js: 3 redirects to " + origin.url("/r3/app.js"));
        }
    }

    @Test
    void aChainEndingInA302IsAWarning() throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js("app.js.map"))
                    .redirect("/app.js.map", 301, "/x/app.js.map").redirect("/x/app.js.map", 302, "/y/app.js.map")
                    .gated("/y/app.js.map", TOKEN, "application/json", MAP, "Cache-Control", "private");
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).as("%s", run).isZero();
            assertThat(run.line("redirects")).startsWith("  warn").contains("map: the chain ends in a 302").contains("login");
        }
    }

    @Test
    void moreThanTenRedirectsLeaveTheFinalRedirectAsTheAnswer() throws IOException {
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js("r0.map"));
            for (int i = 0; i <= 11; i++) {
                origin.redirect("/r" + i + ".map", 302, "/r" + (i + 1) + ".map");
            }
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.line("map")).startsWith("  FAIL").contains(" 302  ").contains("login page");
            assertThat(origin.seen()).as("the chain, with and without the credential")
                    .filteredOn(s -> s.path().matches("/r[0-9]+\\.map")).hasSize(11 * 2);
        }
    }

    @Test
    void basicCredentialsAreDroppedOnARedirectToAnotherHostAsSentryDoes() throws IOException {
        String basic = "Basic " + Base64.getEncoder().encodeToString("sentry:s3cret".getBytes(StandardCharsets.UTF_8));
        try (ScriptedOrigin assets = new ScriptedOrigin(); ScriptedOrigin maps = new ScriptedOrigin()) {
            assets.file("/app.js", "text/javascript", js("app.js.map"))
                    .redirect("/app.js.map", 301, "http://localhost:" + maps.port() + "/app.js.map");
            maps.route("/app.js.map", ex -> {
                boolean authorised = basic.equals(ex.getRequestHeaders().getFirst("Authorization"));
                ScriptedOrigin.send(ex, authorised ? 200 : 401, "application/json",
                        (authorised ? MAP : "{}").getBytes(StandardCharsets.UTF_8));
            });
            Run run = verify(assets.url("/app.js"), "--basic", "sentry:s3cret");

            assertThat(assets.seen("/app.js").get(0).header("Authorization")).isEqualTo(basic);
            assertThat(maps.seen("/app.js.map")).allSatisfy(s -> assertThat(s.header("Authorization")).isNull());
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.line("map")).startsWith("  FAIL").contains(" 401  ").contains("permission denied");
            assertThat(run.line("redirects")).startsWith("  warn").contains("no longer sends Authorization");
            assertThat(run.out()).doesNotContain("s3cret").doesNotContain(basic);
        }
    }

    // --- original sources ----------------------------------------------------------------------

    @Test
    void sourcesWithoutContentMustBeFetchableButNotPublic() throws IOException {
        String map = "{\"version\":3,\"sourceRoot\":\"../src/\",\"sources\":[\"gated.ts\",\"public.ts\"],\"mappings\":\"AAAA,CCAA\"}";
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/js/app.js", "text/javascript", js("app.js.map"))
                    .gated("/js/app.js.map", TOKEN, "application/json", map, "Cache-Control", "private")
                    .gated("/src/gated.ts", TOKEN, "text/plain", "export const a = 1;")
                    .file("/src/public.ts", "text/plain", "export const b = 2;");
            Run run = verify(origin.url("/js/app.js"), "--token", TOKEN);

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.line("sources")).startsWith("  ok").contains("fetched 2 of the 2 sources without sourcesContent");
            assertThat(run.line("sources-without-credential")).startsWith("  FAIL")
                    .contains(origin.url("/src/public.ts")).contains("1 of 2");
        }
    }

    @Test
    void aMissingSourceFailsTheSourcesCheck() throws IOException {
        String map = "{\"version\":3,\"sources\":[\"missing.ts\",\"webpack:///src/x.ts\"],\"mappings\":\"AAAA\"}";
        try (ScriptedOrigin origin = new ScriptedOrigin()) {
            origin.file("/app.js", "text/javascript", js("app.js.map"))
                    .gated("/app.js.map", TOKEN, "application/json", map, "Cache-Control", "private");
            Run run = verify(origin.url("/app.js"), "--token", TOKEN);

            assertThat(run.line("sources")).startsWith("  FAIL").contains("2 of 2")
                    .contains(origin.url("/missing.ts") + ": 404").contains("webpack:///src/x.ts: not an http(s) URL");
        }
    }

    // --- input and network errors: exit 2, one line ------------------------------------------

    @Test
    void somethingThatIsNotAUrlIsOneLine() {
        assertOneCleanLine(verify("not a url", "--token", TOKEN), "not a URL");
        assertOneCleanLine(verify("ftp://example.com/app.js", "--token", TOKEN), "not an http or https URL");
        assertOneCleanLine(verify("not a url"), "not a URL");
    }

    @Test
    void anUnknownHostIsOneLine() {
        assertOneCleanLine(verify("https://no-such-host.invalid/app.js", "--token", TOKEN), "no such host: no-such-host.invalid");
    }

    @Test
    void aClosedPortIsOneLine() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertOneCleanLine(verify("http://127.0.0.1:" + port + "/app.js", "--token", TOKEN), "cannot connect to 127.0.0.1:" + port);
    }

    @Test
    void aCertificateSentryWouldNotTrustIsOneLine() throws Exception {
        X509Bundle privateCa = new CertificateBuilder().subject("CN=a CA no trust store holds").ecp256()
                .setIsCertificateAuthority(true).buildSelfSigned();
        X509Bundle server = new CertificateBuilder().subject("CN=localhost").ecp256().addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth().buildIssuedBy(privateCa);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(server.toKeyManagerFactory().getKeyManagers(), null, null);
        try (TestOrigin https = TestOrigin.https(tls)) {
            assertOneCleanLine(verify(https.url() + "/assets/app.js", "--token", TOKEN),
                    "TLS error talking to 127.0.0.1:" + https.port() + ": the certificate does not chain to a trusted CA");
        }
    }

    @Test
    void aMissingCredentialIsOneLine() {
        assertOneCleanLine(verify(gateUrl(gate, "/assets/app.js")), "no credential");
    }

    @Test
    void aJavaScriptFileThatIsNotThereIsOneLine() {
        assertOneCleanLine(verify(gateUrl(gate, "/assets/nothing.js"), "--token", TOKEN), "answered 404");
    }

    @Test
    void jsonStillParsesWhenTheCheckCannotRun() throws IOException {
        Run run = verify("https://no-such-host.invalid/app.js", "--token", TOKEN, "--json");
        assertThat(run.exit()).isEqualTo(2);
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("result").asText()).isEqualTo("error");
        assertThat(json.get("error").asText()).contains("no such host");
    }

    private static void assertOneCleanLine(Run run, String expected) {
        assertThat(run.exit()).as("%s", run).isEqualTo(2);
        assertThat(run.err().lines()).as("%s", run).hasSize(1);
        assertThat(run.err()).startsWith("mapgate verify: ").contains(expected)
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run.out()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
