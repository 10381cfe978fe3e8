package dev.mapgate.gate;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The compiled globs of the gated paths: decides whether a canonical path (decoded, without its
 * query, as {@link RequestTarget} produces it) is gated.
 *
 * <p>{@code **} as a whole segment matches zero or more segments, {@code *} any run of characters
 * within one segment, {@code ?} one character other than {@code /}; everything else is literal. A
 * leading {@code /} on a glob is optional.
 *
 * <p>A path is gated when any origin could resolve it to a gated file, or serve a gated file's
 * content under another name, so matching is wider than a plain glob match, in five ways:
 * <ul>
 *   <li>siblings (unless turned off): a gated name followed by further extensions or a backup
 *       mark, {@code app.js.map.gz}, {@code app.js.map.bak}, {@code app.js.map~}, {@code
 *       app.js.map-old}, {@code app.js.map (1)}, is the same content precompressed or copied, and
 *       is gated too. A name that merely contains the gated one, such as {@code x.mapping.js} or
 *       {@code sitemap.xml}, is not: what follows the gated name must not start with a letter or
 *       digit, which would continue the name;
 *   <li>case-insensitive: case-insensitive file systems serve {@code /APP.JS.MAP} as the map;
 *   <li>any leading run of segments may match: origins with path-info (Apache's AcceptPathInfo,
 *       PHP, some frameworks) serve {@code /app.js.map/x.js} as {@code /app.js.map};
 *   <li>each segment is also tried cut at its first {@code ;} (Tomcat and Spring drop
 *       {@code ;params}) and, separately, at its first {@code :} (IIS serves {@code
 *       app.js.map::$DATA} as the file);
 *   <li>a non-ASCII path is also tried after Unicode compatibility folding (NFKC), which some
 *       origins apply, turning a fullwidth {@code ｍａｐ} into {@code map}.
 * </ul>
 * Over-gating costs a pass-through file nothing worse than a credential check; under-gating leaks
 * source code.
 */
public final class PathGlobs {

    // DOTALL: '.' must also cross U+2028 and friends, which a canonical path may hold.
    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL;

    private final Pattern pattern;
    private final List<String> globs;
    /**
     * Per glob, the runs of literal ASCII text between its wildcards in lower case, which every
     * ASCII path it matches contains (ignoring case); {@code null} when any glob has none, such as
     * {@code **}.
     */
    private final String[][] literals;

    private PathGlobs(Pattern pattern, List<String> globs, String[][] literals) {
        this.pattern = pattern;
        this.globs = globs;
        this.literals = literals;
    }

    /** Compiles {@code globs} with siblings gated, as mapgate does by default. */
    public static PathGlobs compile(List<String> globs) {
        return compile(globs, true);
    }

    /**
     * @param siblings whether a gated name followed by anything but a letter or digit is gated too
     * @throws InvalidEntry naming the bad glob and its position in {@code globs}
     */
    public static PathGlobs compile(List<String> globs, boolean siblings) {
        Objects.requireNonNull(globs, "globs");
        if (globs.isEmpty()) {
            return new PathGlobs(null, List.of(), null);
        }
        List<String> alternatives = new ArrayList<>(globs.size());
        for (int i = 0; i < globs.size(); i++) {
            try {
                alternatives.add(toRegex(globs.get(i)));
            } catch (IllegalArgumentException e) {
                throw new InvalidEntry(InvalidEntry.Field.GLOB, i, globs.get(i), e.getMessage());
            }
        }
        // One leading '/' on the path is optional so that globs are written relative to the root;
        // the sibling part lets the gated name go on in the same segment with anything that does
        // not continue the name (an extension, '~', '-old', ' (1)'); the tail lets a match end at any segment boundary (path-info).
        String regex = "/?(?:" + String.join("|", alternatives) + ")" + (siblings ? "(?:[^/A-Za-z0-9][^/]*)?" : "") + "(?:/.*)?";
        return new PathGlobs(Pattern.compile(regex, FLAGS), List.copyOf(globs), literalsOf(globs));
    }

    /** Whether {@code canonicalPath}, read by any origin, could name a gated file. */
    public boolean matches(String canonicalPath) {
        if (pattern == null) {
            return false;
        }
        boolean ascii = isAscii(canonicalPath);
        if (ascii && !containsLiteralsOfAnyGlob(canonicalPath)) {
            // Most requests end here: an asset that cannot be a map, decided without the regex.
            return false;
        }
        if (matchesAnyReading(canonicalPath)) {
            return true;
        }
        if (ascii) {
            return false;
        }
        String folded = Normalizer.normalize(canonicalPath, Normalizer.Form.NFKC);
        return !folded.equals(canonicalPath) && matchesAnyReading(folded);
    }

    private boolean matchesAnyReading(String path) {
        return pattern.matcher(path).matches()
                || path.indexOf(';') >= 0 && pattern.matcher(cutSegmentsAt(path, ';')).matches()
                || path.indexOf(':') >= 0 && pattern.matcher(cutSegmentsAt(path, ':')).matches();
    }

    /**
     * False only when no glob can match the ASCII path {@code path} in any reading. Each reading is
     * made of prefixes of the path's segments, so a literal (which never holds '/') found in a
     * reading is in the path too; and the pattern's case folding matches an ASCII character to an
     * ASCII literal exactly when the two are equal ignoring ASCII case.
     */
    private boolean containsLiteralsOfAnyGlob(String path) {
        if (literals == null) {
            return true;
        }
        for (String[] glob : literals) {
            if (containsAll(path, glob)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsAll(String path, String[] required) {
        for (String literal : required) {
            if (!containsIgnoreCase(path, literal)) {
                return false;
            }
        }
        return true;
    }

    /** @param lowerCase ASCII in lower case */
    private static boolean containsIgnoreCase(String s, String lowerCase) {
        for (int i = 0, last = s.length() - lowerCase.length(); i <= last; i++) {
            int j = 0;
            while (j < lowerCase.length() && toLowerCase(s.charAt(i + j)) == lowerCase.charAt(j)) {
                j++;
            }
            if (j == lowerCase.length()) {
                return true;
            }
        }
        return false;
    }

    /** ASCII letters only: the path is ASCII here, so this is exact and needs no locale. */
    private static char toLowerCase(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** @return per glob its ASCII literals, or {@code null} when some glob has none */
    private static String[][] literalsOf(List<String> globs) {
        String[][] literals = new String[globs.size()][];
        for (int i = 0; i < globs.size(); i++) {
            literals[i] = asciiLiterals(globs.get(i));
            if (literals[i].length == 0) {
                return null;
            }
        }
        return literals;
    }

    /**
     * The literal runs of {@code glob} that are pure ASCII. The others are left out because
     * Unicode case folding maps some non-ASCII letters onto ASCII ones (the Kelvin sign onto 'k').
     */
    private static String[] asciiLiterals(String glob) {
        List<String> literals = new ArrayList<>();
        for (String segment : glob.split("/")) {
            for (String run : segment.split("[*?]")) {
                if (!run.isEmpty() && isAscii(run)) {
                    literals.add(run.toLowerCase(Locale.ROOT));
                }
            }
        }
        return literals.toArray(new String[0]);
    }

    /** {@code /a;x/b;y} cut at ';' is {@code /a/b}: each segment up to its first delimiter. */
    static String cutSegmentsAt(String path, char delimiter) {
        StringBuilder out = new StringBuilder(path.length());
        boolean cutting = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '/') {
                cutting = false;
            } else if (c == delimiter) {
                cutting = true;
            }
            if (!cutting) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 128) {
                return false;
            }
        }
        return true;
    }

    /**
     * The globs that can match a name in the top folder only: one segment, no {@code **}, as in
     * {@code *.map}. Such a glob leaves {@code /assets/app.js.map} ungated.
     */
    public List<String> topFolderOnly() {
        List<String> shallow = new ArrayList<>();
        for (String glob : globs) {
            String body = glob.startsWith("/") ? glob.substring(1) : glob;
            if (body.indexOf('/') < 0 && !body.contains("**")) {
                shallow.add(glob);
            }
        }
        return shallow;
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
            throw new IllegalArgumentException("glob '" + glob + "' is empty");
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
                throw new IllegalArgumentException("glob '" + glob
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
