package dev.mapgate.verify;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Judges the caching headers of the map as served to Sentry. A shared cache (a CDN, a caching
 * proxy) may store a response unless it says {@code private} or {@code no-store}; a stored map is
 * then served to whoever asks. The hints a CDN adds ({@code Age}, {@code X-Cache},
 * {@code CF-Cache-Status}, {@code Via}) are reported as seen.
 */
public final class CachePolicy {

    private static final List<String> HINTS = List.of("Age", "X-Cache", "CF-Cache-Status", "Via");

    private CachePolicy() {}

    public static CheckResult judge(String name, String url, int httpStatus, HttpHeaders headers) {
        List<String> cacheControl = headers.allValues("Cache-Control");
        String shown = cacheControl.isEmpty() ? "no Cache-Control" : "Cache-Control: " + String.join(", ", cacheControl);
        String hints = hints(headers);
        if (!keepsOutOfSharedCaches(cacheControl)) {
            return CheckResult.fail(name, url, httpStatus, shown + hints
                    + ": a shared cache may store your map and serve it to anyone; send \"private, no-store\""
                    + " (mapgate does on every gated path)");
        }
        if (servedFromCache(headers)) {
            // Not a FAIL by itself: the request carried the credential, and the fetch without it
            // is what proves whether the cache hands the map out. It does show a cache that
            // stores maps against Cache-Control, which also means it can store a denial.
            return CheckResult.warn(name, url, httpStatus, shown + hints
                    + ": yet a cache in front served it from its store; it ignores Cache-Control for maps."
                    + " Exclude *.map from caching, or key it on the credential header");
        }
        return CheckResult.ok(name, url, httpStatus, shown + hints);
    }

    static boolean keepsOutOfSharedCaches(List<String> cacheControl) {
        for (String value : cacheControl) {
            for (String directive : value.split(",")) {
                String directiveName = directive.strip();
                int eq = directiveName.indexOf('=');
                if (eq >= 0) {
                    directiveName = directiveName.substring(0, eq).strip();
                }
                directiveName = directiveName.toLowerCase(Locale.ROOT);
                if (directiveName.equals("private") || directiveName.equals("no-store")) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean servedFromCache(HttpHeaders headers) {
        for (String age : headers.allValues("Age")) {
            try {
                if (Long.parseLong(age.strip()) > 0) {
                    return true;
                }
            } catch (NumberFormatException ignored) {
                // A malformed Age says nothing either way.
            }
        }
        for (String header : List.of("X-Cache", "CF-Cache-Status")) {
            for (String value : headers.allValues(header)) {
                if (value.toUpperCase(Locale.ROOT).contains("HIT")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String hints(HttpHeaders headers) {
        List<String> seen = new ArrayList<>();
        for (String hint : HINTS) {
            headers.allValues(hint).forEach(v -> seen.add(hint + ": " + v));
        }
        return seen.isEmpty() ? "" : " (cache hints: " + String.join("; ", seen) + ")";
    }
}
