package dev.mapgate.fuzz;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.config.LiveSettings;
import dev.mapgate.config.SettingsLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the fuzzed mapgate serves: a directory of assets whose source maps all carry {@link #MARKER},
 * and one config per {@link Setup}, loaded by the production loader.
 */
final class Site {

    /** In every map file, and nowhere else: seeing it in a response means a map body went out. */
    static final String MARKER = "MAPGATE-FUZZ-SECRET-e4c1";

    static final String HOST = "cdn.example";
    static final String TOKEN = "tok-fuzz-8e21c47a";
    /** A second configured token, as during a rotation. */
    static final String ROTATED_TOKEN = "tok-fuzz-rotated-93b1";
    static final String USER = "alice";
    static final String PASSWORD = "alice-fuzz-pw";
    static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    /** Addresses in gate.allow-ips: one address and one /24. */
    static final String ALLOWED_IP = "203.0.113.7";
    static final String ALLOWED_NET = "198.51.100.";
    /** The trusted proxy or balancer of {@link Setup#FORWARDED} and {@link Setup#PROXY}. */
    static final String TRUSTED_PROXY = "127.0.0.1";

    /** Request paths of the map files, percent-encoded as a client would send them. */
    static final List<String> MAP_PATHS = List.of(
            "/app.js.map", "/assets/app.js.map", "/UPPER.JS.MAP", "/caf%C3%A9.js.map", "/deep/er/chunk-9f3a.mjs.map");
    /** Paths that exist and are no maps. */
    static final List<String> ASSET_PATHS = List.of(
            "/app.js", "/assets/app.js", "/index.html", "/assets/", "/big.js", "/caf%C3%A9.js", "/app.map.js");
    /** Gated paths with no file behind them. */
    static final List<String> MISSING_MAP_PATHS = List.of("/missing.js.map", "/assets/none.css.map");

    private final Path root;
    private final Map<Setup, LiveSettings> settings = new EnumMap<>(Setup.class);

    private Site(Path root) {
        this.root = root;
    }

    /** Writes the assets and configs under {@code dir} and loads each config. */
    static Site create(Path dir) {
        try {
            Path root = Files.createDirectories(dir.resolve("www"));
            Site site = new Site(root);
            site.writeAssets();
            String hash = passwordHash();
            for (Setup setup : Setup.values()) {
                Path conf = dir.resolve(setup.name().toLowerCase() + ".conf");
                Files.writeString(conf, config(setup, root, hash), StandardCharsets.UTF_8);
                site.settings.put(setup, new LiveSettings(SettingsLoader.load(conf)));
            }
            return site;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory the origin serves. */
    Path root() {
        return root;
    }

    LiveSettings settings(Setup setup) {
        return settings.get(setup);
    }

    /** A bcrypt hash of {@link #PASSWORD}, at the lowest cost, which is what the fuzz needs. */
    static String passwordHash() {
        return BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());
    }

    /** Whether {@code ip} is in gate.allow-ips; by string, not by mapgate's CIDR code. */
    static boolean allowed(String ip) {
        if (ip == null) {
            return false;
        }
        if (ip.equals(ALLOWED_IP)) {
            return true;
        }
        if (!ip.startsWith(ALLOWED_NET)) {
            return false;
        }
        String last = ip.substring(ALLOWED_NET.length());
        return last.matches("0|[1-9][0-9]{0,2}") && Integer.parseInt(last) <= 255;
    }

    private static String config(Setup setup, Path root, String hash) {
        return "mapgate {\n"
                + " listen { host = \"127.0.0.1\", port = 0, hosts = [\"" + HOST + "\"]\n"
                + "   header-timeout = 2s, keep-alive-timeout = 4s, body-timeout = 2s, idle-timeout = 6s }\n"
                + " admin { host = \"127.0.0.1\", port = 0 }\n"
                + " origin.directory = \"" + root + "\"\n"
                + " gate {\n"
                + "   allow-ips = [\"" + ALLOWED_IP + "\", \"" + ALLOWED_NET + "0/24\"]\n"
                + "   token { header = \"" + setup.tokenHeader + "\", tokens = [\n"
                + "     { name = \"sentry\", value = \"" + TOKEN + "\" },\n"
                + "     { name = \"rotated\", value = \"" + ROTATED_TOKEN + "\" } ] }\n"
                + "   basic.users = [ { name = \"" + USER + "\", password-hash = \"" + hash + "\" } ]\n"
                + "   deny-status = " + setup.denyStatus + "\n"
                + " }\n"
                + setup.extraConfig + "\n"
                + "}\n";
    }

    private void writeAssets() throws IOException {
        String js = "function n(t){return t*2}\n//# sourceMappingURL=app.js.map\n";
        write("app.js", js);
        write("assets/app.js", js + "/* assets */\n");
        write("app.map.js", "/* a script whose name only mentions map */\n");
        write("index.html", "<!doctype html><script src=\"/app.js\"></script>\n");
        write("assets/index.html", "<!doctype html><title>assets</title>\n");
        write("café.js", "/* café */\n");
        write("big.js", "/* big */\n" + "var x=1;\n".repeat(5000));
        // The marker every 40 bytes or so: any slice of a map longer than that holds it whole.
        String map = "{\"version\":3,\"sources\":[\"Secret.tsx\"],\"sourcesContent\":[\""
                + (MARKER + " const key = 1; ").repeat(120) + "\"],\"mappings\":\"AAAA\"}\n";
        write("app.js.map", map);
        write("assets/app.js.map", map + " ");
        write("UPPER.JS.MAP", map + "  ");
        write("café.js.map", map + "   ");
        write("deep/er/chunk-9f3a.mjs.map", map + "    ");
    }

    private void write(String relative, String text) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
