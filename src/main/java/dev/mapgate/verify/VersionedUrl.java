package dev.mapgate.verify;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Guesses whether a JavaScript URL changes when its content changes. Sentry fetches a URL at most
 * about once an hour and keeps what it got, so a file rebuilt under the same URL can be paired
 * with the map of another build. These are heuristics for the names bundlers write:
 * <ul>
 *   <li>8 or more hex digits, at least one a digit ({@code main.3f2a1c9e.js}, webpack, CRA,
 *       Parcel, Next.js);</li>
 *   <li>in the file name, after its first {@code -}, {@code .}, {@code _} or {@code @}: 8 or
 *       more base64url characters mixing two of upper case, lower case and digits
 *       ({@code index-BwU7X8-m.js}, Vite and Rollup; {@code chunk-5TZQIDX6.js}, esbuild);</li>
 *   <li>a directory of 8 or more letters and digits with both in it (a build id);</li>
 *   <li>a version number {@code 1.2} or {@code 1.2.3} anywhere in the path;</li>
 *   <li>a query parameter such as {@code v}, {@code ver}, {@code version}, {@code hash}.</li>
 * </ul>
 */
public final class VersionedUrl {

    private static final Pattern HEX_RUN = Pattern.compile("(?<![0-9A-Za-z])[0-9a-fA-F]{8,}(?![0-9A-Za-z])");
    private static final Pattern VERSION = Pattern.compile("(?<![0-9A-Za-z.])v?\\d+\\.\\d+(?:\\.\\d+)*(?![0-9A-Za-z])");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]{8,}");
    private static final Pattern SCRIPT_EXTENSION = Pattern.compile("(?:\\.(?:min|chunk|bundle|esm|umd|prod|production))*"
            + "\\.(?:m?js|cjs|jsx)$", Pattern.CASE_INSENSITIVE);
    private static final Set<String> VERSION_PARAMETERS = Set.of("v", "ver", "version", "hash", "h", "rev", "build",
            "cb", "cachebust", "cache-bust", "_v");

    private VersionedUrl() {}

    /** What in the URL looks like a version or content hash, or empty when nothing does. */
    public static Optional<String> evidence(URI url) {
        String query = url.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && eq < pair.length() - 1
                        && VERSION_PARAMETERS.contains(pair.substring(0, eq).toLowerCase(Locale.ROOT))) {
                    return Optional.of("query parameter " + pair + " in the URL");
                }
            }
        }
        String path = url.getPath() == null ? "" : url.getPath();
        List<String> segments = List.of(path.split("/"));
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (segment.isEmpty()) {
                continue;
            }
            boolean fileName = i == segments.size() - 1 && !path.endsWith("/");
            Optional<String> found = fileName ? inFileName(segment) : inDirectory(segment);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> inFileName(String name) {
        Optional<String> common = hexOrVersion(name);
        if (common.isPresent()) {
            return common;
        }
        String stem = SCRIPT_EXTENSION.matcher(name).replaceFirst("");
        for (int i = 1; i < stem.length(); i++) {
            char c = stem.charAt(i);
            if (c != '-' && c != '.' && c != '_' && c != '@') {
                continue;
            }
            // A Rollup hash may itself contain - or _: try what follows each separator, up to the
            // next dot, so that "index-BwU7X8-m" yields "BwU7X8-m".
            String rest = stem.substring(i + 1);
            int dot = rest.indexOf('.');
            String candidate = dot < 0 ? rest : rest.substring(0, dot);
            if (looksLikeHash(candidate)) {
                return Optional.of("hash \"" + candidate + "\" in the file name");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> inDirectory(String segment) {
        Optional<String> common = hexOrVersion(segment);
        if (common.isPresent()) {
            return common;
        }
        if (BASE64URL.matcher(segment).matches() && segment.chars().anyMatch(Character::isDigit)
                && segment.chars().anyMatch(Character::isLetter)) {
            return Optional.of("build id \"" + segment + "\" in the path");
        }
        return Optional.empty();
    }

    private static Optional<String> hexOrVersion(String text) {
        Matcher hex = HEX_RUN.matcher(text);
        while (hex.find()) {
            if (hex.group().chars().anyMatch(Character::isDigit)) {
                return Optional.of("content hash \"" + hex.group() + "\" in the path");
            }
        }
        Matcher version = VERSION.matcher(text);
        if (version.find()) {
            return Optional.of("version \"" + version.group() + "\" in the path");
        }
        return Optional.empty();
    }

    private static boolean looksLikeHash(String candidate) {
        if (!BASE64URL.matcher(candidate).matches() || candidate.length() > 64) {
            return false;
        }
        int kinds = 0;
        kinds += candidate.chars().anyMatch(c -> c >= 'a' && c <= 'z') ? 1 : 0;
        kinds += candidate.chars().anyMatch(c -> c >= 'A' && c <= 'Z') ? 1 : 0;
        kinds += candidate.chars().anyMatch(c -> c >= '0' && c <= '9') ? 1 : 0;
        return kinds >= 2;
    }
}
