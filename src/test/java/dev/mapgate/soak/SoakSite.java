package dev.mapgate.soak;

import dev.mapgate.testing.Pattern;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The assets the soak serves, written to a folder that nginx (or mapgate's static origin) serves:
 * a script, its source map, and a large file whose every byte is known. The test keeps the same
 * bytes in memory to check each response against.
 */
final class SoakSite {

    static final String JS_PATH = "/assets/app.js";
    static final String MAP_PATH = "/assets/app.js.map";
    static final String LARGE_PATH = "/assets/big.bin";
    static final String PROBE_PATH = "/index.html";

    /** Appears in the map and nowhere else, so a denial that leaks the map is caught. */
    static final String MAP_MARKER = "SoakPaymentForm.tsx";
    static final String TOKEN_HEADER = "X-Sentry-Token";
    static final String TOKEN = "soak-steady-token-5f0c2a9e71d4";

    /** Several MiB, so that a large body crosses many buffers and the origin's flow control. */
    static final int LARGE_SIZE = 8 * 1024 * 1024;

    final Path root;
    final byte[] js;
    final byte[] map;
    final byte[] large;

    private SoakSite(Path root, byte[] js, byte[] map, byte[] large) {
        this.root = root;
        this.js = js;
        this.map = map;
        this.large = large;
    }

    static SoakSite create(Path root) throws IOException {
        StringBuilder script = new StringBuilder();
        StringBuilder sources = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            script.append("function f").append(i).append("(t){return t*").append(i).append("}\n");
        }
        script.append("//# sourceMappingURL=app.js.map\n");
        // About 64 KiB: larger than one socket read, as real maps are.
        for (int i = 0; sources.length() < 64 * 1024; i++) {
            sources.append("export const fee").append(i).append(" = (x: number) => x * ").append(i).append(";\\n");
        }
        String map = "{\"version\":3,\"sources\":[\"" + MAP_MARKER + "\"],\"sourcesContent\":[\"" + sources
                + "\"],\"names\":[\"fee\"],\"mappings\":\"AAAA\"}";
        byte[] large = new byte[LARGE_SIZE];
        Pattern.fill(large, 0, LARGE_SIZE);
        SoakSite site = new SoakSite(root, script.toString().getBytes(StandardCharsets.UTF_8),
                map.getBytes(StandardCharsets.UTF_8), large);
        site.write(JS_PATH, site.js);
        site.write(MAP_PATH, site.map);
        site.write(LARGE_PATH, large);
        site.write(PROBE_PATH, "<!doctype html><title>soak</title>\n".getBytes(StandardCharsets.UTF_8));
        return site;
    }

    private void write(String path, byte[] bytes) throws IOException {
        Path file = root.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
