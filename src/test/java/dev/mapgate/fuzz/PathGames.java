package dev.mapgate.fuzz;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Other spellings of a map's request-target: the ways proxies have been talked into checking one
 * path and serving another (encoded dots and slashes, dot segments, {@code ;params}, NUL, overlong
 * UTF-8, fullwidth characters, case, absolute-form, backslashes).
 */
final class PathGames {

    private static final List<String> SEGMENT_TRICKS = List.of(
            "/./", "/../x/", "//", "/.%2e/", "/%2e/", "/x/../", "/;x/", "/..;/", "/%2E%2E/", "/.;/", "/%2f/", "/.../");
    private static final List<String> SUFFIXES = List.of(
            ";.js", "%00", "%00.js", "/", "/.", ".", "%20", " ", "::$DATA", ":x", "#x", "?.js", "%3f.js", "%23", "%2f",
            "/x.js", ";jsessionid=1", "%09", "%0d%0a", "~1", "\\", "%5c", "%2e", "..", "%", "%2", "%zz", "%u0000",
            "\u0000", ";", "%3b", "/..", "/%2e%2e");
    private static final List<String> DOT_SPELLINGS = List.of(
            "%2e", "%2E", "%252e", "%C0%AE", "%E0%80%AE", "%u002e", "%EF%BC%8E", "\u00ef\u00bc\u008e", "%c0%2e", "%e2%80%a4");
    private static final List<String> AUTHORITIES = List.of(
            "http://" + Setups.HOST, "http://" + Setups.HOST + ":80", "HTTP://CDN.EXAMPLE", "http://other.example",
            "https://" + Setups.HOST, "http://" + Setups.HOST + "@other.example", "//" + Setups.HOST, "http://[::1]",
            "http://" + Setups.HOST + ":99999");

    private PathGames() {
    }

    static String variant(SplittableRandom r, String current) {
        String base = r.nextInt(3) == 0 ? pathOf(current) : CaseGenerator.oneOf(r, Setups.MAP_PATHS);
        return switch (r.nextInt(12)) {
            case 0 -> percentEncodeSome(r, base);
            case 1 -> {
                int slash = slashes(base, r);
                yield base.substring(0, slash) + CaseGenerator.oneOf(r, SEGMENT_TRICKS) + base.substring(slash + 1);
            }
            case 2 -> base + CaseGenerator.oneOf(r, SUFFIXES);
            case 3 -> CaseGenerator.randomCase(r, base);
            case 4 -> {
                int dot = base.lastIndexOf('.');
                yield dot < 0 ? base : base.substring(0, dot) + CaseGenerator.oneOf(r, DOT_SPELLINGS) + base.substring(dot + 1);
            }
            case 5 -> {
                int slash = slashes(base, r);
                yield base.substring(0, slash) + (r.nextBoolean() ? "\\" : "%5C") + base.substring(slash + 1);
            }
            case 6 -> CaseGenerator.oneOf(r, AUTHORITIES) + base;
            case 7 -> CaseGenerator.oneOf(r, List.of("*", Setups.HOST + ":443", base.substring(1), "", "/", "?" + base));
            case 8 -> base + "?" + CaseGenerator.oneOf(r, List.of(base, "x=.js", "", "%00", "a=%2e%2e/"));
            case 9 -> CaseGenerator.oneOf(r, List.of("/cafe%CC%81.js.map", "/caf\u00c3\u00a9.js.map", "/caf%E9.js.map",
                    "/app.js.%EF%BD%8D%EF%BD%81%EF%BD%90", "/app.js.\u00ef\u00bd\u008dap", "/app%EF%BC%8Ejs.map",
                    "/APP.JS.MAP", "/upper.js.map", "/app.js.map%EF%BC%8F"));
            case 10 -> base.replace("/", CaseGenerator.oneOf(r, List.of("//", "/./", "%2F", "/%2e/")));
            default -> CaseGenerator.oneOf(r, List.of(base + "/x.js", "/app.js/x.js.map", "/index.html/",
                    "/" + "a".repeat(300) + ".js.map", base + "/" + "b".repeat(260), "/assets/app.js.map/",
                    "/" + "%61".repeat(200) + ".map"));
        };
    }

    private static String pathOf(String target) {
        String path = target.replaceFirst("^[a-zA-Z]+://[^/]*", "");
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        return path.startsWith("/") ? path : "/" + path;
    }

    /** The index of one of the slashes in {@code path}. */
    private static int slashes(String path, SplittableRandom r) {
        int count = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                count++;
            }
        }
        int which = count == 0 ? 0 : r.nextInt(count);
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/' && which-- == 0) {
                return i;
            }
        }
        return 0;
    }

    private static String percentEncodeSome(SplittableRandom r, String path) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%' && r.nextInt(4) == 0) {
                String hex = String.format("%02X", (int) c & 0xff);
                out.append('%').append(r.nextBoolean() ? hex : hex.toLowerCase(Locale.ROOT));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
