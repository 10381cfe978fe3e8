package dev.mapgate.origin;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The origin's own idle timeout, from its {@code Keep-Alive: timeout=N} response header (RFC 2068
 * 19.7.1; Node, Apache and many frameworks send it), and how long a connection may idle in the
 * pool because of it.
 */
public final class KeepAliveHint {

    /** No usable {@code timeout} parameter. */
    public static final long NONE = -1;

    private static final long ONE_SECOND = Duration.ofSeconds(1).toNanos();

    /** Compiled once: Node and Apache send the header on every response. */
    private static final Pattern PARAMETERS = Pattern.compile("[,;]");

    private KeepAliveHint() {
    }

    /**
     * The smallest {@code timeout} in seconds among all the header lines, or {@link #NONE}. Read
     * leniently, since it is only a hint: parameter names in any case, blanks around {@code =},
     * a quoted value; a parameter that is not a whole number of seconds is passed over.
     */
    public static long timeoutSeconds(List<String> headerValues) {
        long smallest = NONE;
        for (String value : headerValues) {
            for (String parameter : PARAMETERS.split(value)) {
                int equals = parameter.indexOf('=');
                if (equals < 0 || !parameter.substring(0, equals).strip().equalsIgnoreCase("timeout")) {
                    continue;
                }
                long seconds = seconds(unquote(parameter.substring(equals + 1).strip()));
                if (seconds != NONE && (smallest == NONE || seconds < smallest)) {
                    smallest = seconds;
                }
            }
        }
        return smallest;
    }

    /**
     * How long a connection may idle before mapgate stops lending it: the pool's own limit, or
     * less when the origin said it closes sooner. The margin of a second (half the timeout below
     * two seconds) covers the request's trip and the origin's timer running ahead of ours.
     */
    public static long idleAllowanceNanos(long timeoutSeconds, Duration poolIdleTimeout) {
        long pool = poolIdleTimeout.toNanos();
        if (timeoutSeconds == NONE || timeoutSeconds > poolIdleTimeout.toSeconds() + 1) {
            return pool;
        }
        long origin = timeoutSeconds * ONE_SECOND;
        long margin = Math.min(ONE_SECOND, origin / 2);
        return Math.min(pool, origin - margin);
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1).strip() : s;
    }

    private static long seconds(String s) {
        if (s.isEmpty() || s.length() > 12) {
            return NONE;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return NONE;
            }
        }
        return Long.parseLong(s);
    }
}
