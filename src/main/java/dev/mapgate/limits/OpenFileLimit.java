package dev.mapgate.limits;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The process's limit on open file descriptors, and whether it covers what mapgate may hold at
 * once. Every socket is a descriptor: a proxied client costs two (its connection and the origin
 * connection; with the static origin, the file being sent), each admin connection one, and the
 * JVM and the event loops a few more. When the soft limit is reached, accept() fails and a new
 * connection waits unanswered in the kernel's queue, on every listener at once.
 *
 * <p>On Linux the JVM raises its soft limit to the hard one at startup ({@code -XX:+MaxFDLimit},
 * on by default), so what is read here is normally the hard limit twice. Netty's native transport
 * adds nothing to this: it neither raises the limit nor keeps a spare descriptor to shed
 * connections once it is reached. The limit is the operator's to set.
 *
 * @param soft the limit in force, {@link #UNLIMITED} when there is none
 * @param hard how far the soft limit may be raised, {@link #UNKNOWN} where it cannot be read
 */
public record OpenFileLimit(long soft, long hard) {

    public static final long UNLIMITED = Long.MAX_VALUE;
    public static final long UNKNOWN = -1;

    /** Descriptors the JVM holds whatever the traffic: its jar, logs, the admin selector, config reads. */
    static final int RESERVE = 64;
    /** Each epoll event loop holds an epoll, an eventfd and a timerfd. */
    static final int PER_IO_THREAD = 3;

    private static final String PROC_LIMITS = "/proc/self/limits";
    private static final String ROW = "Max open files";

    /** This process's limit: from /proc where there is one, else the soft limit from the JVM, else empty. */
    public static Optional<OpenFileLimit> ofThisProcess() {
        try {
            Optional<OpenFileLimit> fromProc = parse(Files.readAllLines(Path.of(PROC_LIMITS)));
            if (fromProc.isPresent()) {
                return fromProc;
            }
        } catch (IOException | RuntimeException noProc) {
            // Not Linux; the JVM's own view has the soft limit only.
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return Optional.of(new OpenFileLimit(unix.getMaxFileDescriptorCount(), UNKNOWN));
        }
        return Optional.empty();
    }

    /**
     * Reads the "Max open files" row of a {@code /proc/PID/limits} file: the name, then the soft
     * and the hard limit, each a number or "unlimited", then the unit.
     */
    static Optional<OpenFileLimit> parse(List<String> procLimits) {
        for (String line : procLimits) {
            if (line.startsWith(ROW)) {
                String[] words = line.substring(ROW.length()).trim().split("\\s+");
                if (words.length >= 2) {
                    try {
                        return Optional.of(new OpenFileLimit(value(words[0]), value(words[1])));
                    } catch (NumberFormatException unreadable) {
                        return Optional.empty();
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static long value(String word) {
        return word.equals("unlimited") ? UNLIMITED : Long.parseLong(word);
    }

    /**
     * The descriptors mapgate may hold at once with every listener full: two per client
     * connection, one per admin connection (and the one accepted beyond the cap before it or
     * another is closed), and the reserve.
     *
     * @param ioThreads the traffic listener's event loops, as started
     */
    public static long needed(int listenMaxConnections, int adminMaxConnections, int ioThreads) {
        return 2L * listenMaxConnections + adminMaxConnections + 1 + reserve(ioThreads);
    }

    static long reserve(int ioThreads) {
        return RESERVE + (long) PER_IO_THREAD * ioThreads;
    }

    /**
     * What to tell the operator when the soft limit is below {@link #needed}; empty when it is not.
     * Names the keys that make up the need and where the limit is raised.
     */
    public Optional<String> shortfall(int listenMaxConnections, int adminMaxConnections, int ioThreads) {
        long needed = needed(listenMaxConnections, adminMaxConnections, ioThreads);
        if (soft >= needed) {
            return Optional.empty();
        }
        long clients = affordableClients(adminMaxConnections, ioThreads);
        return Optional.of(("the open-file limit (soft %d) is below the %d descriptors mapgate may need:"
                + " 2 x mapgate.listen.max-connections (%d; a client and an origin connection each)"
                + " + mapgate.admin.max-connections (%d) + %d for the JVM and its %d event loops. Once it is"
                + " reached, new connections on both listeners wait unanswered. Raise the limit to at least %d"
                + " (LimitNOFILE= in the systemd unit, ulimit -n before starting, docker run --ulimit"
                + " nofile=N:N, the container runtime's default in Kubernetes)%s")
                .formatted(soft, needed, listenMaxConnections, adminMaxConnections,
                        needed - 2L * listenMaxConnections - adminMaxConnections, ioThreads, needed,
                        clients > 0 ? ", or lower mapgate.listen.max-connections to " + clients : ""));
    }

    /** The most client connections the soft limit covers beside the admin listener and the reserve. */
    private long affordableClients(int adminMaxConnections, int ioThreads) {
        long left = soft - needed(0, adminMaxConnections, ioThreads);
        return Math.max(0, left / 2);
    }

    /** {@code soft=1024 hard=4096}, with "unlimited" and "unknown" spelled out. */
    public String describe() {
        return "soft=" + word(soft) + " hard=" + word(hard);
    }

    private static String word(long value) {
        return value == UNLIMITED ? "unlimited" : value == UNKNOWN ? "unknown" : Long.toString(value);
    }
}
