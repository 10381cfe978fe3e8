package dev.mapgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * mapgate as its own JVM, started the way a user starts it (the main class with the production
 * logback.xml), for tests that need a separate heap, a real exit code or the startup output.
 */
public final class MapgateProcess implements AutoCloseable {

    private static final Path SCRIPT = Path.of("/usr/bin/script");

    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("metrics and health on http://127\\.0\\.0\\.1:(\\d+)");

    /** The access log's logger as the production logback.xml prints it. */
    private static final String ACCESS_LOGGER = " mapgate.access ";

    /**
     * Raises the open-file limit to $1 before it runs the rest of its arguments: the hard limit
     * only upwards and only where allowed (root may), then the soft limit as far as the hard one
     * lets it. What was granted is read back from /proc, see {@link FileLimit}.
     */
    private static final String RAISE_FILE_LIMIT = """
            want=$1; shift
            hard=$(ulimit -Hn)
            [ "$hard" = unlimited ] || [ "$hard" -ge "$want" ] || ulimit -Hn "$want" 2>/dev/null
            ulimit -Sn "$want" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
            exec "$@"
            """;

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final AtomicLong accessLines = new AtomicLong();

    private MapgateProcess(Process process, boolean keepAccessLog) {
        this.process = process;
        Predicate<String> keep = keepAccessLog ? line -> true : line -> !line.contains(ACCESS_LOGGER);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (keep.test(line)) {
                        output.add(line);
                    } else {
                        accessLines.incrementAndGet();
                    }
                }
            } catch (Exception ignored) {
                // the process ended
            }
        }, "mapgate-output");
        pump.setDaemon(true);
        pump.start();
    }

    public static MapgateProcess start(List<String> jvmOptions, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder builder = builder(jvmOptions, env, args).redirectErrorStream(true);
        return new MapgateProcess(builder.start(), true);
    }

    /** mapgate started with SIGHUP ignored, as {@code nohup} starts a program. */
    public static MapgateProcess startWithSighupIgnored(String... args) throws Exception {
        ProcessBuilder builder = builder(List.of(), Map.of(), args).redirectErrorStream(true);
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "trap '' HUP; exec \"$@\"", "sh"));
        command.addAll(builder.command().subList(DEFAULT_SIGNALS.size(), builder.command().size()));
        return new MapgateProcess(builder.command(command).start(), true);
    }

    /**
     * mapgate for a run of minutes under load. Its access log lines are counted, not kept: kept,
     * they would fill this JVM's heap. Its limit on open files is raised towards {@code openFiles}
     * where the OS allows it; {@link FileLimit#of(long)} with {@link #pid()} tells what it got.
     */
    public static MapgateProcess startLongRunning(long openFiles, List<String> jvmOptions, Map<String, String> env,
                                                  String... args) throws Exception {
        ProcessBuilder builder = builder(jvmOptions, env, args).redirectErrorStream(true);
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", RAISE_FILE_LIMIT, "sh", Long.toString(openFiles)));
        command.addAll(builder.command());
        // exec keeps the shell's process id, so pid() is the JVM's.
        return new MapgateProcess(builder.command(command).start(), false);
    }

    /**
     * Sets the hard open-file limit to $1 and the soft one to $2 before it runs the rest of its
     * arguments. Anyone may lower a hard limit; the JVM then cannot raise its soft limit past it.
     * The soft limit goes first where it can: the kernel refuses a hard limit below the soft one.
     */
    private static final String SET_FILE_LIMITS = """
            ulimit -Sn "$2" 2>/dev/null
            ulimit -Hn "$1" && ulimit -Sn "$2" || exit 97
            shift 2
            exec "$@"
            """;

    /**
     * mapgate with at most {@code openFiles} descriptors, soft and hard, as on a host whose limit
     * is small: what a flood does to it when descriptors run out is then quick to reach.
     */
    public static MapgateProcess startWithFileLimit(long openFiles, Map<String, String> env, String... args)
            throws Exception {
        return startWithFileLimits(openFiles, openFiles, env, args);
    }

    /**
     * mapgate started with the soft limit {@code soft} and the hard limit {@code hard} ({@code
     * soft <= hard}); {@link FileLimit#of(long)} with {@link #pid()} tells what the JVM made of them.
     */
    public static MapgateProcess startWithFileLimits(long soft, long hard, Map<String, String> env, String... args)
            throws Exception {
        ProcessBuilder builder = builder(List.of(), env, args).redirectErrorStream(true);
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", SET_FILE_LIMITS, "sh",
                Long.toString(hard), Long.toString(soft)));
        command.addAll(builder.command());
        // exec keeps the shell's process id, so pid() is the JVM's.
        return new MapgateProcess(builder.command(command).start(), true);
    }

    /** How a command that ends by itself (check-config, hash-password) ended, its two streams apart. */
    public record Finished(int exit, String stdout, String stderr) {
    }

    /** Runs a command that ends by itself, with {@code stdin} as its standard input (a pipe, not a terminal). */
    public static Finished run(Map<String, String> env, String stdin, String... args) throws Exception {
        return run(List.of(), env, stdin, args);
    }

    /** As {@link #run(Map, String, String...)}, with JVM options such as a small {@code -Xmx}. */
    public static Finished run(List<String> jvmOptions, Map<String, String> env, String stdin, String... args)
            throws Exception {
        Path out = Files.createTempFile("mapgate-stdout", ".txt");
        Path err = Files.createTempFile("mapgate-stderr", ".txt");
        try {
            Process process = builder(jvmOptions, env, args)
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("mapgate " + String.join(" ", args) + " did not exit within 30 s");
            }
            return new Finished(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /**
     * Starts a command on a terminal of its own, as when a person types it: util-linux
     * {@code script} opens the terminal, and the returned process's standard input and output are
     * what is typed on it and what it shows. Empty when {@code script} is not installed.
     */
    public static Optional<Process> startOnTerminal(String... args) throws IOException {
        if (!Files.isExecutable(SCRIPT)) {
            return Optional.empty();
        }
        ProcessBuilder builder = builder(List.of(), Map.of(), args).redirectErrorStream(true);
        String command = builder.command().stream()
                .map(word -> "'" + word.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        return Optional.of(builder.command(SCRIPT.toString(), "--quiet", "--return", "--command", command, "/dev/null")
                .start());
    }

    /**
     * Signals back to their defaults for mapgate: a test run started under nohup (or any parent
     * that ignores SIGHUP) would otherwise pass the ignored SIGHUP on, and the JVM keeps it ignored.
     */
    private static final List<String> DEFAULT_SIGNALS = List.of("/usr/bin/env", "--default-signal=HUP");

    private static ProcessBuilder builder(List<String> jvmOptions, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(DEFAULT_SIGNALS);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dlogback.configurationFile=" + Path.of("target/classes/logback.xml").toAbsolutePath());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.mapgate.Main");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("MAPGATE_"));
        // Tests run side by side: the admin listener takes any free port unless a test says otherwise.
        builder.environment().put("MAPGATE_ADMIN_PORT", "0");
        // Nothing routes to a test's process; a test of the drain sets its own delay.
        builder.environment().put("MAPGATE_SHUTDOWN_DRAIN_DELAY", "0s");
        builder.environment().putAll(env);
        return builder;
    }

    /** Waits for the startup line and returns the port it names. */
    public int awaitPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (String line : output) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("mapgate exited with " + process.exitValue() + " before listening: " + output);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("mapgate did not print its listening line within 30 s: " + output);
    }

    /** The admin listener's port, from the startup line; call after {@link #awaitPort()}. */
    public int adminPort() {
        return output.stream().map(ADMIN::matcher).filter(Matcher::find).map(m -> Integer.parseInt(m.group(1)))
                .findFirst().orElseThrow(() -> new AssertionError("no admin address in the startup line: " + output));
    }

    public long pid() {
        return process.pid();
    }

    /** Access log lines seen so far, for a process started by {@link #startLongRunning}. */
    public long accessLines() {
        return accessLines.get();
    }

    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("mapgate did not exit: " + output);
        }
        Thread.sleep(100); // let the pump take the last lines
        return process.exitValue();
    }

    public List<String> output() {
        return List.copyOf(output);
    }

    /** Sends a signal, as an orchestrator or an operator would (TERM, HUP, INT). */
    public void signal(String name) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new AssertionError("kill -" + name + " exited with " + exit);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Peak resident set size as the kernel reports it, e.g. "98765 kB". */
    public String peakRss() {
        try {
            return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("VmHWM:")).map(l -> l.substring(6).trim()).findFirst().orElse("n/a");
        } catch (Exception e) {
            return "n/a";
        }
    }

    /** The resident set size now, in bytes (VmRSS). */
    public long residentBytes() throws IOException {
        return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.substring(6).replace("kB", "").trim()) * 1024)
                .findFirst().orElseThrow(() -> new IOException("no VmRSS for " + process.pid()));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
