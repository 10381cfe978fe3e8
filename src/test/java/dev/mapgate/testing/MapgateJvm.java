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
 * logback.xml), for tests that need a separate heap, a real exit code, signals or the startup
 * output. Started through {@link TestMapgate#jvm()}; what this JVM can be asked differs enough
 * from an in-process server (output, exit, signals, memory) that it has a type of its own.
 */
public final class MapgateJvm implements AutoCloseable {

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

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final AtomicLong accessLines = new AtomicLong();

    private MapgateJvm(Process process, boolean keepAccessLog) {
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

    /** How a command that ends by itself (check-config, hash-password) ended, its two streams apart. */
    public record Finished(int exit, String stdout, String stderr) {
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

    /** Access log lines seen so far, for a process started {@link Options#longRunning long-running}. */
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

    /**
     * How to start the JVM. By default: no JVM options, the test environment (admin on any free
     * port, no drain delay), SIGHUP at its default and the open-file limit inherited.
     */
    public static final class Options {

        private List<String> jvmOptions = List.of();
        private Map<String, String> env = Map.of();
        /** The shell that runs mapgate's command line, with its own arguments first; none by default. */
        private List<String> shell = List.of();
        private boolean keepAccessLog = true;

        Options() {
        }

        /** e.g. a small {@code -Xmx}, or the leak detector's level. */
        public Options jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /** Environment variables on top of the test environment, e.g. {@code MAPGATE_LISTEN_PORT}. */
        public Options env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        /** With SIGHUP ignored, as {@code nohup} starts a program. */
        public Options sighupIgnored() {
            return shell("trap '' HUP; exec \"$@\"");
        }

        /**
         * For a run of minutes under load. Its access log lines are counted, not kept: kept, they
         * would fill this JVM's heap. Its limit on open files is raised towards {@code openFiles}
         * where the OS allows it; {@link FileLimit#of(long)} with {@link #pid()} tells what it got.
         */
        public Options longRunning(long openFiles) {
            this.keepAccessLog = false;
            return shell(RAISE_FILE_LIMIT, Long.toString(openFiles));
        }

        /**
         * With at most {@code openFiles} descriptors, soft and hard, as on a host whose limit is
         * small: what a flood does to it when descriptors run out is then quick to reach.
         */
        public Options fileLimit(long openFiles) {
            return fileLimits(openFiles, openFiles);
        }

        /**
         * With the soft limit {@code soft} and the hard limit {@code hard} ({@code soft <= hard});
         * {@link FileLimit#of(long)} with {@link #pid()} tells what the JVM made of them.
         */
        public Options fileLimits(long soft, long hard) {
            return shell(SET_FILE_LIMITS, Long.toString(hard), Long.toString(soft));
        }

        private Options shell(String script, String... arguments) {
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh"));
            command.addAll(List.of(arguments));
            this.shell = command;
            return this;
        }

        /** Starts {@code mapgate args...}; its standard error goes with its output. */
        public MapgateJvm start(String... args) throws IOException {
            ProcessBuilder builder = builder(jvmOptions, env, args).redirectErrorStream(true);
            if (!shell.isEmpty()) {
                // The shell goes first, signals still at their defaults; exec keeps its process
                // id, so pid() is the JVM's.
                List<String> command = new ArrayList<>(DEFAULT_SIGNALS);
                command.addAll(shell);
                command.addAll(builder.command().subList(DEFAULT_SIGNALS.size(), builder.command().size()));
                builder.command(command);
            }
            return new MapgateJvm(builder.start(), keepAccessLog);
        }

        /** Runs a command that ends by itself, with {@code stdin} as its standard input (a pipe, not a terminal). */
        public Finished run(String stdin, String... args) throws Exception {
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
         * {@code script} opens the terminal, and the returned process's standard input and output
         * are what is typed on it and what it shows. Empty when {@code script} is not installed.
         */
        public Optional<Process> onTerminal(String... args) throws IOException {
            if (!Files.isExecutable(SCRIPT)) {
                return Optional.empty();
            }
            ProcessBuilder builder = builder(jvmOptions, env, args).redirectErrorStream(true);
            String command = builder.command().stream()
                    .map(word -> "'" + word.replace("'", "'\\''") + "'")
                    .collect(Collectors.joining(" "));
            return Optional.of(builder.command(SCRIPT.toString(), "--quiet", "--return", "--command", command, "/dev/null")
                    .start());
        }
    }
}
