package dev.mapgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The asset site an origin serves in a test: its files in memory, so that a test can check any
 * response against the bytes it should be, and written into a folder for the origin. Every site has the shape of a real
 * one: a page, a script that names its source map in a {@code sourceMappingURL} comment, and the
 * map, which alone carries the site's marker: finding the marker anywhere in a response means the
 * map leaked, whatever framing or encoding carried it.
 *
 * <p>The suites want different sites on purpose, and ask for them by name: {@link #hostile} (names
 * a legitimate request has to reach), {@link #soak} (a map larger than one socket read and a large
 * file of known bytes) and {@link #fuzz} (maps behind many spellings of a name, with the marker
 * every few bytes so that any slice of one holds it). Other tests build their own with
 * {@link #builder(String)}.
 */
public final class TestSite {

    public static final String INDEX = "/index.html";
    public static final String SCRIPT = "/assets/app.js";
    public static final String MAP = "/assets/app.js.map";

    /** The hostile suites' marker, placed where a map's mappings go. */
    public static final String CANARY = "CANARY-9f1c-a5f111b94bc2072f88355dc6";
    /** A cache-busting name of the hostile site, long as bundlers make them. */
    public static final String LONG_NAME =
            "/assets/app.19e258f795b9683df4b63c78102157bba53da5cff1a81d48819f7cc21517a37e.js";

    /** The soak's marker: the name of the map's one source file. */
    public static final String SOAK_MARKER = "SoakPaymentForm.tsx";
    /** A file of the soak site whose every byte is {@link Pattern}'s, so that a response is checked as it streams. */
    public static final String LARGE = "/assets/big.bin";
    /** Several MiB, so that a large body crosses many buffers and the origin's flow control. */
    public static final int LARGE_SIZE = 8 * 1024 * 1024;

    /** The fuzz's marker: in every map file, many times over, and nowhere else. */
    public static final String FUZZ_MARKER = "MAPGATE-FUZZ-SECRET-e4c1";

    /** Built once: the hostile suites read its content from many places, and it never changes. */
    private static final TestSite HOSTILE = buildHostile();

    private final String marker;
    /** Site path (with its leading slash) to content. */
    private final Map<String, byte[]> files;

    private TestSite(String marker, Map<String, byte[]> files) {
        this.marker = marker;
        this.files = files;
    }

    /**
     * The hostile suites' site: the map, its script and a page, and names a legitimate request has
     * to reach: with a space, with a non-ASCII letter, with a long hash.
     */
    public static TestSite hostile() {
        return HOSTILE;
    }

    private static TestSite buildHostile() {
        return builder(CANARY)
                .file(INDEX, "<!doctype html><title>hostile suite</title><script src=\"/assets/app.js\"></script>\n")
                .script(SCRIPT, "function fee(x){return x*2}\n")
                .file(MAP, "{\"version\":3,\"file\":\"app.js\",\"sources\":[\"FeePaymentForm.tsx\"],"
                        + "\"names\":[\"fee\"],\"mappings\":\"" + CANARY + "\"}")
                .file("/assets/my file.js", "/* a name with a space */\n")
                .file("/assets/café.js", "/* a name with a non-ASCII letter */\n")
                .file(LONG_NAME, "/* a cache-busting name */\n")
                .build();
    }

    /**
     * The soak's site: a script, a map of about 64 KiB (larger than one socket read, as real maps
     * are) and {@link #LARGE}.
     */
    public static TestSite soak() {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            script.append("function f").append(i).append("(t){return t*").append(i).append("}\n");
        }
        StringBuilder sources = new StringBuilder();
        for (int i = 0; sources.length() < 64 * 1024; i++) {
            sources.append("export const fee").append(i).append(" = (x: number) => x * ").append(i).append(";\\n");
        }
        byte[] large = new byte[LARGE_SIZE];
        Pattern.fill(large, 0, LARGE_SIZE);
        return builder(SOAK_MARKER)
                .script(SCRIPT, script.toString())
                .file(MAP, "{\"version\":3,\"sources\":[\"" + SOAK_MARKER + "\"],\"sourcesContent\":[\"" + sources
                        + "\"],\"names\":[\"fee\"],\"mappings\":\"AAAA\"}")
                .file(LARGE, large)
                .file(INDEX, "<!doctype html><title>soak</title>\n")
                .build();
    }

    /**
     * The fuzz's site, at the root of the folder: maps under a plain, an upper-case, a non-ASCII and
     * a deep name, each a little different so that each has its own ETag, and files that only look
     * like maps.
     */
    public static TestSite fuzz() {
        String js = "function n(t){return t*2}\n";
        // The marker every 40 bytes or so: any slice of a map longer than that holds it whole.
        String map = "{\"version\":3,\"sources\":[\"Secret.tsx\"],\"sourcesContent\":[\""
                + (FUZZ_MARKER + " const key = 1; ").repeat(120) + "\"],\"mappings\":\"AAAA\"}\n";
        return builder(FUZZ_MARKER)
                .script("/app.js", js)
                .script(SCRIPT, js, "/* assets */\n")
                .file("/app.map.js", "/* a script whose name only mentions map */\n")
                .file(INDEX, "<!doctype html><script src=\"/app.js\"></script>\n")
                .file("/assets/index.html", "<!doctype html><title>assets</title>\n")
                .file("/café.js", "/* café */\n")
                .file("/big.js", "/* big */\n" + "var x=1;\n".repeat(5000))
                .file("/app.js.map", map)
                .file(MAP, map + " ")
                .file("/UPPER.JS.MAP", map + "  ")
                .file("/café.js.map", map + "   ")
                .file("/deep/er/chunk-9f3a.mjs.map", map + "    ")
                .build();
    }

    /** A site of the test's own making, whose map carries {@code marker}. */
    public static Builder builder(String marker) {
        return new Builder(marker);
    }

    /** Writes every file under {@code root} (made if missing) and returns it, for the origin to serve. */
    public Path writeTo(Path root) {
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path path = root.resolve(file.getKey().substring(1));
                Files.createDirectories(path.getParent());
                Files.write(path, file.getValue());
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The content of a site file, by its path on the site: the site's own bytes, not a copy, since
     * the soak compares megabytes of them with every response. Read them; never change them.
     */
    public byte[] content(String path) {
        byte[] content = files.get(path);
        if (content == null) {
            throw new IllegalArgumentException("the site has no " + path);
        }
        return content;
    }

    public boolean containsMarker(byte[] received) {
        return countMarkers(received) > 0;
    }

    /** How often the marker occurs in {@code received}, apart. */
    public int countMarkers(byte[] received) {
        byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
        int count = 0;
        for (int at = indexOf(received, needle, 0); at >= 0; at = indexOf(received, needle, at + needle.length)) {
            count++;
        }
        return count;
    }

    /** Where {@code needle} first occurs in {@code haystack} at or after {@code from}, or -1. */
    public static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The files of a site, in the order they are written. */
    public static final class Builder {

        private final String marker;
        private final Map<String, byte[]> files = new LinkedHashMap<>();

        private Builder(String marker) {
            this.marker = marker;
        }

        public Builder file(String path, byte[] content) {
            files.put(path, content.clone());
            return this;
        }

        public Builder file(String path, String text) {
            return file(path, text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * A script that names its map, {@code path + ".map"}, the way bundlers do: {@code code}, the
         * {@code sourceMappingURL} comment, then {@code after}.
         */
        public Builder script(String path, String code, String... after) {
            String name = path.substring(path.lastIndexOf('/') + 1);
            return file(path, code + "//# sourceMappingURL=" + name + ".map\n" + String.join("", after));
        }

        public TestSite build() {
            return new TestSite(marker, Map.copyOf(files));
        }
    }
}
