package dev.mapgate.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rough reading of an nginx config: the arguments of each simple directive, wherever it stands.
 * Enough to check how the sidecar example's nginx is wired, not a parser.
 */
final class NginxConf {

    private static final Pattern COMMENT = Pattern.compile("#[^\\n]*");
    private static final Pattern NGINX_TIME = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private final String text;

    NginxConf(String text) {
        this.text = COMMENT.matcher(text).replaceAll("");
    }

    /** The arguments of every {@code name ...;} directive, in order. */
    List<String> all(String name) {
        Matcher matcher = Pattern.compile("(?:^|[\\s;{}])" + Pattern.quote(name) + "\\s+([^;{}]+);").matcher(text);
        List<String> arguments = new ArrayList<>();
        while (matcher.find()) {
            arguments.add(matcher.group(1).strip());
        }
        return arguments;
    }

    /** The arguments of the one {@code name} directive. */
    String one(String name) {
        List<String> found = all(name);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + name + " directive in the nginx config, found " + found);
        }
        return found.get(0);
    }

    /** An nginx time such as {@code 75s}, {@code 1m} or {@code 75} (seconds). */
    static Duration time(String value) {
        Matcher matcher = NGINX_TIME.matcher(value);
        if (!matcher.matches()) {
            throw new AssertionError("not a single nginx time: " + value);
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }
}
