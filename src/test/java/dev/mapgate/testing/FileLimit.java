package dev.mapgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A process's limit on open files as the kernel enforces it ({@code /proc/PID/limits}), and how
 * many it has open. The JVM raises its own soft limit to the hard one at startup on Linux
 * ({@code -XX:+MaxFDLimit}, on by default); reading it back is how a test knows it did.
 */
public record FileLimit(long soft, long hard, long open) {

    public static FileLimit self() {
        return of(ProcessHandle.current().pid());
    }

    public static FileLimit of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            long open = fds.count();
            for (String line : Files.readAllLines(proc.resolve("limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] words = line.substring("Max open files".length()).trim().split("\\s+");
                    return new FileLimit(parse(words[0]), parse(words[1]), open);
                }
            }
            throw new IllegalStateException("no 'Max open files' in " + proc.resolve("limits"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many more files it may open before it reaches its soft limit. */
    public long headroom() {
        return soft - open;
    }

    private static long parse(String value) {
        return "unlimited".equals(value) ? Long.MAX_VALUE : Long.parseLong(value);
    }

    @Override
    public String toString() {
        return soft + " soft / " + hard + " hard, " + open + " open";
    }
}
