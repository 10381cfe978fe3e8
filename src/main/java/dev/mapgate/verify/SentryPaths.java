package dev.mapgate.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * How Sentry turns a relative reference into the URL it fetches: the map against the minified
 * file's URL, and the original sources against the map's URL.
 *
 * <p>This follows symbolicator's {@code join_paths}, which is not RFC 3986 resolution: a
 * reference containing {@code ://} or starting with {@code webpack:} or {@code turbopack:} is used
 * as is; a leading {@code //} keeps the base's scheme; a leading {@code /} keeps its host;
 * anything else is joined to the base's directory with {@code .} and {@code ..} collapsed, empty
 * segments dropped, and a {@code ..} above the root of an http(s) URL ignored.
 */
public final class SentryPaths {

    private SentryPaths() {}

    public static String join(String base, String reference) {
        if (reference.contains("://") || reference.startsWith("webpack:") || reference.startsWith("turbopack:")) {
            return reference;
        }
        int schemeEnd = base.indexOf("://");
        String scheme = schemeEnd < 0 ? "file" : base.substring(0, schemeEnd);
        String rest = schemeEnd < 0 ? base : base.substring(schemeEnd + 3);
        boolean file = scheme.equals("file");
        // Sentry's own "~/" prefix means "any host", and is read like an absolute path.
        String right = reference.startsWith("~") ? reference.substring(1) : reference;

        if (right.startsWith("/")) {
            if (file) {
                return right;
            }
            if (right.startsWith("//")) {
                return scheme + "://" + right.substring(2);
            }
            int slash = rest.indexOf('/');
            return scheme + "://" + (slash < 0 ? rest : rest.substring(0, slash)) + right;
        }

        List<String> left = new ArrayList<>(List.of(rest.split("/", -1)));
        StringBuilder out = new StringBuilder();
        if (!file) {
            out.append(scheme).append("://").append(left.remove(0));
        } else if (!left.isEmpty() && left.get(0).isEmpty()) {
            left.remove(0);
        }
        if (!left.isEmpty()) {
            left.remove(left.size() - 1); // the base's file name
        }
        boolean http = scheme.equals("http") || scheme.equals("https");
        boolean firstSegment = true;
        for (String segment : right.split("/", -1)) {
            if (segment.equals("..")) {
                if (!left.isEmpty()) {
                    left.remove(left.size() - 1);
                    continue;
                }
                if (http) {
                    continue;
                }
            }
            if (segment.equals(".") && (http || firstSegment)) {
                continue;
            }
            firstSegment = false;
            left.add(segment);
        }
        for (String segment : left) {
            if (!segment.isEmpty()) {
                out.append('/').append(segment);
            }
        }
        return out.toString();
    }

    /**
     * A map's source name with the map's {@code sourceRoot} applied, as Sentry's source map parser
     * does before resolving it: one trailing slash of the root dropped, and a source that is
     * non-empty and starts with {@code /}, {@code http:} or {@code https:} left alone.
     */
    public static String withSourceRoot(String sourceRoot, String source) {
        if (sourceRoot == null || sourceRoot.isEmpty()) {
            return source;
        }
        if (!source.isEmpty() && (source.startsWith("/") || source.startsWith("http:") || source.startsWith("https:"))) {
            return source;
        }
        String root = sourceRoot.endsWith("/") ? sourceRoot.substring(0, sourceRoot.length() - 1) : sourceRoot;
        return root + "/" + source;
    }
}
