package dev.mapgate.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * mapgate as its own JVM, started the way a user starts it (the main class with the production
 * logback.xml), for tests that need a separate heap, a real exit code or the startup output.
 */
public final class MapgateProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();

    private MapgateProcess(Process process) {
        this.process = process;
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            } catch (Exception ignored) {
                // the process ended
            }
        }, "mapgate-output");
        pump.setDaemon(true);
        pump.start();
    }

    public static MapgateProcess start(List<String> jvmOptions, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dlogback.configurationFile=" + Path.of("target/classes/logback.xml").toAbsolutePath());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.mapgate.Main");
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("MAPGATE_"));
        // Tests run side by side: the admin listener takes any free port unless a test says otherwise.
        builder.environment().put("MAPGATE_ADMIN_PORT", "0");
        // Nothing routes to a test's process; a test of the drain sets its own delay.
        builder.environment().put("MAPGATE_SHUTDOWN_DRAIN_DELAY", "0s");
        builder.environment().putAll(env);
        return new MapgateProcess(builder.start());
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
