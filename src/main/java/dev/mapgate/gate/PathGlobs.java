package dev.mapgate.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The compiled {@code gate.paths} globs. Matching is case-insensitive and runs on the canonical
 * (decoded) path without its query.
 *
 * <p>{@code **} as a whole segment matches zero or more segments, {@code *} any run of characters
 * within one segment, {@code ?} one character other than {@code /}; everything else is literal. A
 * leading {@code /} on a glob is optional.
 */
public final class PathGlobs {

    // Case-insensitive because origins on case-insensitive file systems serve /APP.JS.MAP too.
    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;

    private final Pattern pattern;
    private final List<String> globs;

    private PathGlobs(Pattern pattern, List<String> globs) {
        this.pattern = pattern;
        this.globs = globs;
    }

    /** @throws IllegalArgumentException naming the bad glob */
    public static PathGlobs compile(List<String> globs) {
        Objects.requireNonNull(globs, "globs");
        if (globs.isEmpty()) {
            return new PathGlobs(null, List.of());
        }
        List<String> alternatives = new ArrayList<>(globs.size());
        for (String glob : globs) {
            alternatives.add(toRegex(glob));
        }
        // One leading '/' on the path is optional so that globs are written relative to the root.
        String regex = "/?(?:" + String.join("|", alternatives) + ")";
        return new PathGlobs(Pattern.compile(regex, FLAGS), List.copyOf(globs));
    }

    public boolean matches(String canonicalPath) {
        return pattern != null && pattern.matcher(canonicalPath).matches();
    }

    /** True when no glob is configured, so nothing is gated. */
    public boolean isEmpty() {
        return pattern == null;
    }

    /** The globs as configured. */
    public List<String> globs() {
        return globs;
    }

    @Override
    public String toString() {
        return "PathGlobs" + globs;
    }

    private static String toRegex(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("gate.paths: glob '" + glob + "' is empty");
        }
        String body = glob.startsWith("/") ? glob.substring(1) : glob;
        List<String> segments = withoutRepeatedDoubleStars(body.split("/", -1));
        StringBuilder regex = new StringBuilder();
        // True after a non-final '**', whose regex already ends in '/'.
        boolean slashConsumed = false;
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (segment.equals("**")) {
                if (i == segments.size() - 1) {
                    regex.append(i == 0 ? ".*" : "(?:/.*)?");
                } else {
                    regex.append(i == 0 ? "" : "/").append("(?:[^/]*/)*");
                    slashConsumed = true;
                }
                continue;
            }
            if (segment.contains("**")) {
                throw new IllegalArgumentException("gate.paths: glob '" + glob
                        + "' uses '**' inside a segment; '**' must be a whole segment, as in '**/*.map'");
            }
            if (i > 0 && !slashConsumed) {
                regex.append('/');
            }
            slashConsumed = false;
            appendSegment(regex, segment);
        }
        return regex.toString();
    }

    // '**/**' means the same as '**'; collapsing it avoids nested backtracking in the regex.
    private static List<String> withoutRepeatedDoubleStars(String[] segments) {
        List<String> result = new ArrayList<>(segments.length);
        for (String segment : segments) {
            boolean repeat = segment.equals("**") && !result.isEmpty() && result.get(result.size() - 1).equals("**");
            if (!repeat) {
                result.add(segment);
            }
        }
        return result;
    }

    private static void appendSegment(StringBuilder regex, String segment) {
        int literalStart = 0;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '*' || c == '?') {
                appendLiteral(regex, segment, literalStart, i);
                regex.append(c == '*' ? "[^/]*" : "[^/]");
                literalStart = i + 1;
            }
        }
        appendLiteral(regex, segment, literalStart, segment.length());
    }

    private static void appendLiteral(StringBuilder regex, String segment, int from, int to) {
        if (from < to) {
            regex.append(Pattern.quote(segment.substring(from, to)));
        }
    }
}
