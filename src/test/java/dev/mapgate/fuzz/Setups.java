package dev.mapgate.fuzz;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.config.LiveSettings;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.testing.TestSite;
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
 * How the fuzzed mapgate is set up: {@link TestSite#fuzz()} written into a folder, whose source
 * maps all carry {@link TestSite#FUZZ_MARKER}, the gate's credentials and addresses, and one
 * config per {@link Setup}, loaded by the production loader.
 */
final class Setups {

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

    private Setups(Path root) {
        this.root = root;
    }

    /** Writes the site and the configs under {@code dir} and loads each config. */
    static Setups create(Path dir) {
        try {
            Path root = TestSite.fuzz().writeTo(dir.resolve("www"));
            Setups setups = new Setups(root);
            String hash = passwordHash();
            for (Setup setup : Setup.values()) {
                Path conf = dir.resolve(setup.name().toLowerCase() + ".conf");
                Files.writeString(conf, config(setup, root, hash), StandardCharsets.UTF_8);
                setups.settings.put(setup, new LiveSettings(SettingsLoader.load(conf)));
            }
            return setups;
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
}
