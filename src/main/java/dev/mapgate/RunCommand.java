package dev.mapgate;

import dev.mapgate.config.ConfigProblem;
import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.guard.PrefixDecoder;
import dev.mapgate.limits.OpenFileLimit;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.server.ListenFailure;
import dev.mapgate.server.MapgateServer;
import dev.mapgate.tls.TlsFileProblem;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mapgate run}: load the config, start the listeners, serve until a signal stops it. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the gate (the default when no command is given).")
final class RunCommand implements Callable<Integer> {

    static final String DEFAULT_CONFIG = "conf/mapgate.conf";

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = "--config", paramLabel = "FILE", defaultValue = DEFAULT_CONFIG,
            description = "HOCON config file (default: ${DEFAULT-VALUE}).")
    private Path config;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        return run(Main.configFile(spec, config));
    }

    static int run(Path config) throws InterruptedException {
        Settings settings;
        try {
            settings = SettingsLoader.load(config);
        } catch (ConfigProblem problem) {
            System.err.println(configError(config, problem));
            return Main.EXIT_CONFIG;
        }
        settings.warnings().forEach(w -> LOG.warn("event=config-warning problem=\"{}\"", w));
        Metrics metrics = new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .withJvmAndNetty(ByteBufAllocator.DEFAULT);
        MapgateServer server;
        try {
            server = MapgateServer.start(settings, metrics);
        } catch (ListenFailure failure) {
            System.err.println("mapgate: " + failure.getMessage());
            return Main.EXIT_LISTEN;
        } catch (TlsFileProblem problem) {
            // The loader parsed the pair and matched key to certificate; what is left for here is a
            // pair the TLS library itself refuses when the context is built. Still one line.
            System.err.println("mapgate: config error in " + config + ": mapgate.listen.tls." + problem.key() + ": "
                    + problem.getMessage());
            return Main.EXIT_CONFIG;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        boolean handled = Signals.on("TERM", () -> stop(server, stopping, stopped, true))
                & Signals.on("INT", () -> stop(server, stopping, stopped, false));
        if (!handled) {
            // Without our handlers the JVM's run the hooks: still a clean close, only without the drain delay.
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mapgate-shutdown"));
        }
        Signals.on("HUP", () -> server.reload("SIGHUP"));
        if (settings.gate().contentGuard()) {
            // Where /tmp forbids exec (Docker's default tmpfs), the native library cannot load.
            PrefixDecoder.nativeBrotliProblem().ifPresent(problem -> LOG.warn("event=brotli-native-unavailable"
                    + " cause=\"{}\" effect=\"the content guard decodes br in Java: slower, and a br body whose start"
                    + " it cannot reach within 128 KiB is refused; give /tmp exec rights\"", problem.replace('"', '\'')));
        }
        logOpenFileLimit(settings, server.ioThreads());
        LOG.info(StartupHint.describe(settings, server.address(), server.adminAddress()));
        stopped.await();
        return 0;
    }

    /**
     * The limit as the JVM left it (it raises the soft limit to the hard one on Linux), and a
     * warning when it cannot hold both listeners full: the process would then stop accepting on
     * both, health probes included, long before listen.max-connections is reached.
     */
    private static void logOpenFileLimit(Settings settings, int ioThreads) {
        Optional<OpenFileLimit> limit = OpenFileLimit.ofThisProcess();
        if (limit.isEmpty()) {
            LOG.info("event=open-files-limit soft=unknown hard=unknown");
            return;
        }
        LOG.info("event=open-files-limit {}", limit.get().describe());
        limit.get().shortfall(settings.listen().maxConnections(), settings.admin().maxConnections(), ioThreads)
                .ifPresent(problem -> LOG.warn("event=open-files-limit-low problem=\"{}\"", problem));
    }

    /** The one line for a config that does not load; check-config prints the same. */
    static String configError(Path config, ConfigProblem problem) {
        return "mapgate: config error in " + config + ": " + problem.getMessage();
    }

    /**
     * SIGTERM drains (the orchestrator is moving traffic away and waits); SIGINT is a person at a
     * terminal, who should not wait for load balancers that are not there. A second signal while
     * stopping is ignored: the first one's deadlines already bound the wait.
     */
    private static void stop(MapgateServer server, AtomicBoolean stopping, CountDownLatch stopped, boolean drain) {
        if (stopping.getAndSet(true)) {
            return;
        }
        LOG.info("event=stopping signal={}", drain ? "TERM" : "INT");
        try {
            server.shutdown(drain ? server.settings().get().shutdown().drainDelay() : Duration.ZERO);
        } finally {
            stopped.countDown();
        }
    }
}
