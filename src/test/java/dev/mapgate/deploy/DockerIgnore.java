package dev.mapgate.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code .dockerignore} file: which paths of the build context the builder leaves out. As
 * Docker reads it: one pattern per line, {@code #} comments, {@code *} and {@code ?} within one
 * path segment, {@code **} across segments, a leading {@code !} re-including, the last matching
 * line deciding, and a pattern that matches a folder leaving out everything in it.
 */
final class DockerIgnore {

    private record Rule(Pattern pattern, boolean exclude) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    static DockerIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String pattern = line.strip();
            if (pattern.isEmpty() || pattern.startsWith("#")) {
                continue;
            }
            boolean exclude = !pattern.startsWith("!");
            if (!exclude) {
                pattern = pattern.substring(1).strip();
            }
            pattern = pattern.replaceAll("^/+|/+$", "");
            rules.add(new Rule(Pattern.compile(regex(pattern)), exclude));
        }
        return new DockerIgnore(rules);
    }

    /** Whether {@code path} (relative to the context, with {@code /}) stays out of the build context. */
    boolean excludes(String path) {
        boolean excluded = false;
        for (Rule rule : rules) {
            if (matchesItOrAFolderAbove(rule.pattern(), path)) {
                excluded = rule.exclude();
            }
        }
        return excluded;
    }

    private static boolean matchesItOrAFolderAbove(Pattern pattern, String path) {
        for (String candidate = path; ; candidate = candidate.substring(0, candidate.lastIndexOf('/'))) {
            if (pattern.matcher(candidate).matches()) {
                return true;
            }
            if (candidate.indexOf('/') < 0) {
                return false;
            }
        }
    }

    private static String regex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (glob.startsWith("**/", i)) {
                regex.append("(?:.*/)?");
                i += 2;
            } else if (glob.startsWith("**", i)) {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }
}
