package dev.mapgate.verify;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mapgate verify URL}: fetch a deployed JS file and its map the way Sentry does. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Check that Sentry can fetch your source maps, and that nobody else can.",
            "Fetches URL (a deployed, minified JavaScript file) as Sentry does, follows its sourceMappingURL,"
                    + " fetches the map with the credential Sentry sends and again without it, and prints one line"
                    + " per check: ok, warn or FAIL."},
        footer = {
            "",
            "The credential is the Security Token (and Security Token Header) in your Sentry project's settings,"
                    + " under Client Security."
                    + " So that it stays out of shell history and ps, prefer --token-file, or the environment"
                    + " variable " + VerifyCommand.TOKEN_ENV + ", which is read when no credential option is given.",
            "",
            "Exit status: 0 when every check is ok (warnings allowed), 1 when a check FAILs,"
                    + " 2 when the check could not run (bad URL, unreachable host, no sourceMappingURL)."})
public final class VerifyCommand implements Callable<Integer> {

    static final String TOKEN_ENV = "MAPGATE_VERIFY_TOKEN";

    /** When the checklist is coloured. */
    enum ColorMode { auto, always, never }

    static final class CredentialOptions {
        @Option(names = "--token-file", paramLabel = "FILE",
                description = "Read the Security Token from FILE (surrounding whitespace ignored).")
        Path tokenFile;

        @Option(names = "--token", paramLabel = "TOKEN",
                description = "The Security Token. Visible to other users in ps; prefer --token-file.")
        String token;

        @Option(names = "--basic", paramLabel = "USER:PASSWORD",
                description = "Send Authorization: Basic, as Sentry does with the token header set to Authorization.")
        String basic;

        @Option(names = "--basic-file", paramLabel = "FILE", description = "Read USER:PASSWORD from FILE.")
        Path basicFile;
    }

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "URL", description = "URL of a deployed, minified JavaScript file.")
    private String url;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private CredentialOptions credentialOptions;

    @Option(names = "--header", paramLabel = "NAME",
            description = "Header that carries the token: Sentry's \"Security Token Header\" (default: "
                    + Credential.DEFAULT_HEADER + ").")
    private String header;

    @Option(names = "--credential-host", paramLabel = "HOST[:PORT]",
            description = "Also send the credential to HOST (repeatable). By default it goes only to the host of URL;"
                    + " the JavaScript, the map's sources and redirects may point elsewhere, and get no credential.")
    private List<String> credentialHosts = new ArrayList<>();

    @Option(names = "--site", paramLabel = "NAME",
            description = "Fail unless mapgate's site NAME serves the map (its Mapgate-Site response header). Without"
                    + " it, the site that answered is shown when mapgate names one.")
    private String site;

    @Option(names = "--max-body", paramLabel = "MIB", defaultValue = "256",
            description = "Read at most MIB MiB of one body, as sent and once decoded (default: ${DEFAULT-VALUE}); an eighth"
                    + " of the Java heap if that is less. A larger body (a compression bomb) stops the run.")
    private long maxBodyMib;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "Give up on a body that takes longer than SECONDS to arrive in full (default: ${DEFAULT-VALUE},"
                    + " Sentry's limit).")
    private long timeoutSeconds;

    @Option(names = "--json", description = "Print the report as JSON.")
    private boolean json;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "Colour the checklist: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: on a terminal,"
                    + " unless NO_COLOR is set).")
    private ColorMode color;

    private final UnaryOperator<String> environment;
    private final BooleanSupplier terminal;

    public VerifyCommand() {
        this(System::getenv, () -> System.console() != null);
    }

    /** For tests: the environment and whether stdout is a terminal. */
    VerifyCommand(UnaryOperator<String> environment, BooleanSupplier terminal) {
        this.environment = environment;
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (maxBodyMib < 1 || timeoutSeconds < 1) {
            return cannotRun("--max-body and --timeout must be at least 1");
        }
        CredentialScope scope;
        try {
            // A bad URL is the first thing to hear about, before a missing token.
            scope = CredentialScope.of(Verifier.parseInput(url), credentialHosts);
        } catch (CannotVerify e) {
            return cannotRun(e.getMessage());
        } catch (IllegalArgumentException e) {
            return cannotRun(e.getMessage());
        }
        try (SentryFetcher fetcher = new SentryFetcher(maxBodyMib * Sizes.MIB, Duration.ofSeconds(timeoutSeconds), scope)) {
            Report report = new Verifier(fetcher, Verifier.Resolver.system(), site).verify(url, credential());
            out.print(json ? JsonReport.render(report) + "\n" : TextReport.render(report, colour()));
            out.flush();
            return report.exitCode();
        } catch (CannotVerify e) {
            return cannotRun(e.getMessage());
        } catch (LimitExceeded e) {
            return cannotRun(e.getMessage());
        } catch (OutOfMemoryError e) {
            // The body cap follows the heap, so this is a last resort; still one line, not a trace.
            return cannotRun("ran out of memory (Java heap " + Sizes.human(Runtime.getRuntime().maxMemory())
                    + "); give java a larger -Xmx");
        } catch (RuntimeException e) {
            // One line even for a bug: a stack trace helps nobody reading a checklist.
            return cannotRun("unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private int cannotRun(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("mapgate verify: " + message);
        err.flush();
        if (json) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(JsonReport.error(url, message));
            out.flush();
        }
        return Report.EXIT_CANNOT_RUN;
    }

    private Credential credential() throws CannotVerify {
        CredentialOptions given = credentialOptions == null ? new CredentialOptions() : credentialOptions;
        try {
            if (given.basic != null || given.basicFile != null) {
                if (header != null && !header.equalsIgnoreCase("Authorization")) {
                    throw new CannotVerify("--header names the token's header; --basic always sends Authorization");
                }
                return Credential.basic(given.basic != null ? given.basic : read(given.basicFile, "--basic-file"));
            }
            String token = given.token;
            if (token == null && given.tokenFile != null) {
                token = read(given.tokenFile, "--token-file");
            }
            if (token == null) {
                String fromEnvironment = environment.apply(TOKEN_ENV);
                token = fromEnvironment == null || fromEnvironment.isEmpty() ? null : fromEnvironment;
            }
            if (token == null) {
                throw new CannotVerify("no credential: give --token-file FILE, set " + TOKEN_ENV
                        + ", or give --basic USER:PASSWORD (what you set as the Security Token in Sentry)");
            }
            return Credential.token(header == null ? Credential.DEFAULT_HEADER : header, token);
        } catch (IllegalArgumentException e) {
            throw new CannotVerify(e.getMessage());
        }
    }

    private static String read(Path file, String option) throws CannotVerify {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new CannotVerify(option + " " + file + ": no such file");
        } catch (IOException e) {
            throw new CannotVerify(option + " " + file + ": " + e.getMessage());
        }
    }

    private boolean colour() {
        return switch (color) {
            case always -> true;
            case never -> false;
            case auto -> terminal.getAsBoolean() && isBlank(environment.apply("NO_COLOR"));
        };
    }

    private static boolean isBlank(String value) {
        return value == null || value.isEmpty();
    }
}
