package dev.mapgate.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The asset site every origin in the hostile suites serves: a script, its source map, and names
 * that legitimate requests have to reach (a space, a non-ASCII letter, a long cache-busting hash).
 */
final class HostileSite {

    /**
     * Appears in the source map and nowhere else, so finding it anywhere in a response means the
     * map leaked, whatever framing or encoding carried it.
     */
    static final String CANARY = "CANARY-9f1c-a5f111b94bc2072f88355dc6";

    static final String MAP = "/assets/app.js.map";
    static final String APP_JS = "/assets/app.js";
    static final String INDEX = "/index.html";
    static final String LONG_NAME = "/assets/app.19e258f795b9683df4b63c78102157bba53da5cff1a81d48819f7cc21517a37e.js";

    /** Site path (with its leading slash) to content. */
    private static final Map<String, byte[]> FILES = new LinkedHashMap<>();

    static {
        FILES.put(INDEX, utf8("<!doctype html><title>hostile suite</title><script src=\"/assets/app.js\"></script>\n"));
        FILES.put(APP_JS, utf8("function fee(x){return x*2}\n//# sourceMappingURL=app.js.map\n"));
        FILES.put(MAP, utf8("{\"version\":3,\"file\":\"app.js\",\"sources\":[\"FeePaymentForm.tsx\"],"
                + "\"names\":[\"fee\"],\"mappings\":\"" + CANARY + "\"}"));
        FILES.put("/assets/my file.js", utf8("/* a name with a space */\n"));
        FILES.put("/assets/café.js", utf8("/* a name with a non-ASCII letter */\n"));
        FILES.put(LONG_NAME, utf8("/* a cache-busting name */\n"));
    }

    private HostileSite() {
    }

    /** Writes the site into {@code dir} and returns it. */
    static Path create(Path dir) {
        try {
            for (Map.Entry<String, byte[]> file : FILES.entrySet()) {
                Path path = dir.resolve(file.getKey().substring(1));
                Files.createDirectories(path.getParent());
                Files.write(path, file.getValue());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The content of a site file. */
    static byte[] content(String path) {
        byte[] content = FILES.get(path);
        if (content == null) {
            throw new IllegalArgumentException("the hostile site has no " + path);
        }
        return content.clone();
    }

    static boolean containsCanary(byte[] received) {
        return countCanaries(received) > 0;
    }

    static int countCanaries(byte[] received) {
        byte[] canary = CANARY.getBytes(StandardCharsets.US_ASCII);
        int count = 0;
        for (int at = indexOf(received, canary, 0); at >= 0; at = indexOf(received, canary, at + canary.length)) {
            count++;
        }
        return count;
    }

    static int indexOf(byte[] haystack, byte[] needle, int from) {
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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
