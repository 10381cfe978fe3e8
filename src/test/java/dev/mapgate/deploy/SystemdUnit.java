package dev.mapgate.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A systemd unit file read as systemd reads it: {@code [Section]} headers, {@code Key=value}
 * lines, {@code #} and {@code ;} comments, a trailing {@code \} joining the next line, and a key
 * that may be assigned more than once (an empty assignment resets a list setting).
 */
final class SystemdUnit {

    private static final Pattern TIME_SPAN_PART = Pattern.compile("(\\d+)\\s*(msec|ms|minutes?|min|m|hours?|hr|h|seconds?|sec|s)?");

    /** Section name, then key, then every assignment in file order. */
    private final Map<String, Map<String, List<String>>> sections;

    private SystemdUnit(Map<String, Map<String, List<String>>> sections) {
        this.sections = sections;
    }

    static SystemdUnit parse(String text) {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        StringBuilder pending = null;
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.startsWith("#") || line.startsWith(";") || (line.isEmpty() && pending == null)) {
                continue;
            }
            if (pending != null) {
                line = pending.append(' ').append(line).toString();
                pending = null;
            }
            if (line.endsWith("\\")) {
                pending = new StringBuilder(line.substring(0, line.length() - 1).strip());
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), s -> new LinkedHashMap<>());
                continue;
            }
            int equals = line.indexOf('=');
            if (current == null || equals < 0) {
                throw new IllegalArgumentException("not a section header or an assignment inside a section: " + line);
            }
            current.computeIfAbsent(line.substring(0, equals).strip(), k -> new ArrayList<>())
                    .add(line.substring(equals + 1).strip());
        }
        if (pending != null) {
            throw new IllegalArgumentException("the last line ends in a continuation: " + pending);
        }
        return new SystemdUnit(sections);
    }

    /** Every assignment of {@code key}, in file order. */
    List<String> all(String section, String key) {
        return sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
    }

    /** The value that counts for a single-valued setting: its last assignment. */
    Optional<String> value(String section, String key) {
        List<String> all = all(section, key);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The items of a list setting (RestrictAddressFamilies, RestartPreventExitStatus, ...): the
     * words of all its assignments, starting again after each empty one.
     */
    List<String> list(String section, String key) {
        List<String> items = new ArrayList<>();
        for (String assignment : all(section, key)) {
            if (assignment.isEmpty()) {
                items.clear();
            } else {
                items.addAll(List.of(assignment.split("\\s+")));
            }
        }
        return items;
    }

    /** A systemd time span ("35s", "1min 30s", "90" for seconds); "infinity" is refused. */
    static Duration timeSpan(String span) {
        Duration total = Duration.ZERO;
        String rest = span.strip();
        Matcher m = TIME_SPAN_PART.matcher(rest);
        int at = 0;
        while (at < rest.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("not a bounded systemd time span: " + span);
            }
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            total = total.plus(switch (unit.charAt(0)) {
                case 'h' -> Duration.ofHours(amount);
                case 'm' -> unit.startsWith("ms") ? Duration.ofMillis(amount) : Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
            });
            at = m.end();
            while (at < rest.length() && rest.charAt(at) == ' ') {
                at++;
            }
        }
        if (at == 0) {
            throw new IllegalArgumentException("not a bounded systemd time span: " + span);
        }
        return total;
    }
}
