package dev.mapgate;

import dev.mapgate.config.EnvironmentLayer;
import dev.mapgate.verify.VerifyCommand;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

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
        // Before anything logs: logback reads the format once, when it starts.
        Optional<String> logFormatProblem = settleLogFormat();
        if (logFormatProblem.isPresent()) {
            System.err.println("mapgate: " + logFormatProblem.get());
            System.exit(EXIT_CONFIG);
        }
        System.exit(commandLine(CommandLine.defaultFactory()).execute(args));
    }

    /**
     * Refuses a log format logback would silently take for text ({@code jsn}), and hands logback
     * the lower-case form of one it would miss ({@code JSON}): a system property, which logback
     * consults before the environment.
     */
    private static Optional<String> settleLogFormat() {
        String property = System.getProperty(EnvironmentLayer.LOG_FORMAT);
        String variable = System.getenv(EnvironmentLayer.LOG_FORMAT);
        Optional<String> problem = EnvironmentLayer.logFormatProblem(property, variable);
        if (problem.isEmpty()) {
            EnvironmentLayer.logFormat(property != null ? property : variable)
                    .ifPresent(format -> System.setProperty(EnvironmentLayer.LOG_FORMAT, format));
        }
        return problem;
    }

    /** The command line as {@link #main} runs it; tests pass a factory that stands in for the environment. */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine commandLine = new CommandLine(new Main(), factory).setParameterExceptionHandler(Main::usageError);
        // Every command's --version names the build, not only the top level's.
        commandLine.getSubcommands().values()
                .forEach(command -> command.getCommandSpec().versionProvider(new Version()));
        return commandLine;
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

    /**
     * The config file a command reads: its own {@code --config}, else one given before the
     * command's name ({@code mapgate --config FILE check-config}), which picocli would otherwise
     * leave on this command and silently replace with the default.
     */
    static Path configFile(CommandSpec command, Path own) {
        if (command.commandLine().getParseResult().hasMatchedOption("--config")) {
            return own;
        }
        CommandSpec parent = command.parent();
        ParseResult parsed = parent == null ? null : parent.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption("--config") ? parsed.matchedOptionValue("--config", own) : own;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mapgate " + (version == null ? "(development build)" : version)};
        }
    }
}
