package dev.mapgate;

import dev.mapgate.verify.VerifyCommand;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command-line entry point. Without a command it runs the gate, as {@code mapgate run} does, so
 * that {@code java -jar mapgate.jar --config FILE} keeps working.
 */
@Command(name = "mapgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serves assets through untouched and source maps only to Sentry.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, HashPasswordCommand.class, VerifyCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    /** The config does not load: the one line printed names the key. */
    static final int EXIT_CONFIG = 2;
    /** The command line or what was typed is wrong (picocli's code for a usage error); one line says why. */
    static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
    /** A listener cannot bind: the one line printed names mapgate.listen or mapgate.admin. */
    static final int EXIT_LISTEN = 3;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = RunCommand.DEFAULT_CONFIG,
            description = "HOCON config file (default: ${DEFAULT-VALUE}).")
    private Path config;

    public static void main(String[] args) {
        System.exit(commandLine(CommandLine.defaultFactory()).execute(args));
    }

    /** The command line as {@link #main} runs it; tests pass a factory that stands in for the environment. */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        return new CommandLine(new Main(), factory).setParameterExceptionHandler(Main::usageError);
    }

    /**
     * One line, like every other error mapgate prints, instead of picocli's message followed by the
     * whole usage help: in a journal or a CI log the cause would scroll away behind it.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("mapgate: " + e.getMessage() + " (see " + command.getCommandSpec().qualifiedName()
                + " --help)");
        command.getErr().flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public Integer call() throws InterruptedException {
        return RunCommand.run(config);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mapgate " + (version == null ? "(development build)" : version)};
        }
    }
}
