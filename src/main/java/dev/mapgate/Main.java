package dev.mapgate;

import dev.mapgate.config.ConfigProblem;
import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.server.MapgateServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command-line entry point: load the config, start the listener, run until stopped. */
@Command(name = "mapgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serves assets through untouched and source maps only to Sentry.")
public final class Main implements Callable<Integer> {

    static final int EXIT_CONFIG = 2;

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "conf/mapgate.conf",
            description = "HOCON config file (default: ${DEFAULT-VALUE}).")
    private Path config;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        Settings settings;
        try {
            settings = SettingsLoader.load(config);
        } catch (ConfigProblem problem) {
            System.err.println("mapgate: config error in " + config + ": " + problem.getMessage());
            return EXIT_CONFIG;
        }
        settings.warnings().forEach(w -> LOG.warn("event=config-warning problem=\"{}\"", w));
        MapgateServer server = MapgateServer.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mapgate-shutdown"));
        LOG.info(StartupHint.describe(settings, server.address()));
        server.awaitClose();
        return 0;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mapgate " + (version == null ? "(development build)" : version)};
        }
    }
}
