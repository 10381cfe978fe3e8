package dev.mapgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * A real web server run as a child process on a free loopback port, until {@link #close()} or
 * the end of the JVM, whichever comes first. {@link NginxOrigin} and {@link PythonOrigin} say
 * which server and how to run it.
 *
 * <p>The port is found by binding port 0 and releasing it, so another process can take it before
 * the server binds it; a start that fails with "Address already in use" is retried on a new port.
 * The server counts as started only once it serves the probe file with the expected bytes, which
 * also proves it is our server on that port and not whatever else grabbed it.
 */
final class OriginProcess implements HttpOrigin {

    private static final int ATTEMPTS = 5;
    private static final long START_TIMEOUT_MS = 15_000;

    private final String name;
    private final Process process;
    private final Thread killOnExit;
    private final int port;

    private OriginProcess(String name, Process process, Thread killOnExit, int port) {
        this.name = name;
        this.process = process;
        this.killOnExit = killOnExit;
        this.port = port;
    }

    /**
     * @param name      what to call the server in messages
     * @param command   the command line for a port
     * @param workDir   where the server's output (and anything else it writes) goes
     * @param site      the directory the server serves
     * @param probePath a file under {@code site} that the server serves once it is up, e.g.
     *                  {@code /index.html}
     */
    static OriginProcess start(String name, IntFunction<List<String>> command, Path workDir, Path site, String probePath) {
        return start(name, command, workDir, site, probePath, OriginProcess::freePort);
    }

    /** @param ports where to try to start, one port per attempt */
    static OriginProcess start(String name, IntFunction<List<String>> command, Path workDir, Path site, String probePath,
                               IntSupplier ports) {
        byte[] probeBody;
        try {
            Files.createDirectories(workDir);
            probeBody = Files.readAllBytes(site.resolve(probePath.substring(1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = workDir.resolve("server.out");
        String lastLog = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            int port = ports.getAsInt();
            Process process;
            try {
                process = new ProcessBuilder(command.apply(port))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + name, e);
            }
            Thread killOnExit = new Thread(process::destroyForcibly, "kill-" + name);
            Runtime.getRuntime().addShutdownHook(killOnExit);
            OriginProcess started = new OriginProcess(name, process, killOnExit, port);
            if (started.awaitServing(probePath, probeBody)) {
                return started;
            }
            started.close();
            lastLog = readLog(log);
            if (!lastLog.contains("Address already in use")) {
                break;
            }
        }
        throw new IllegalStateException(name + " did not start serving within " + START_TIMEOUT_MS
                + " ms; its output:\n" + lastLog);
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public String name() {
        return name;
    }

    /** @return true once the probe is served, false when the process exits or time runs out */
    private boolean awaitServing(String probePath, byte[] probeBody) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (RawClient client = RawClient.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                // Briefly: whatever else holds the port may accept and never answer.
                ResponseReader.Response response = client.readTimeout(1000)
                        .send(RawClient.request("GET", probePath, "Connection: close"))
                        .read(false);
                if (response.status() == 200 && Arrays.equals(response.body(), probeBody)) {
                    return process.isAlive();
                }
            } catch (IOException notYetServing) {
                // Refused until the server has bound the port, or not our server.
            }
            sleep(50);
        }
        return false;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an origin to start", e);
        }
    }

    /** Stops the server: politely, then by force; it is gone when this returns. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; it kills a process that is already gone.
        }
    }

    @Override
    public String toString() {
        return name + " on 127.0.0.1:" + port;
    }
}
