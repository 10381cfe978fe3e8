package dev.mapgate;

import dev.mapgate.config.ConfigProblem;
import dev.mapgate.config.EffectiveConfig;
import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RevokedToken;
import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.Site;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mapgate check-config}: validate a config exactly as {@code run} would, then print it as
 * {@code run} sees it (defaults, file and environment merged) with every secret redacted.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Validate a config as `run` would and print the effective config, secrets redacted.",
                "Exits 0 when the config is valid and 2, with one line naming the key, when it is not."})
final class CheckConfigCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", defaultValue = RunCommand.DEFAULT_CONFIG,
            description = "HOCON config file (default: ${DEFAULT-VALUE}).")
    private Path config;

    @Spec
    private CommandSpec spec;

    private final Function<Path, EffectiveConfig> loader;

    CheckConfigCommand() {
        this(SettingsLoader::effective);
    }

    /** @param loader stands in for {@link SettingsLoader#effective(Path)}, e.g. with another environment */
    CheckConfigCommand(Function<Path, EffectiveConfig> loader) {
        this.loader = loader;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path config = Main.configFile(spec, this.config);
        EffectiveConfig effective;
        try {
            effective = loader.apply(config);
        } catch (ConfigProblem problem) {
            err.println(RunCommand.configError(config, problem));
            err.flush();
            return Main.EXIT_CONFIG;
        }
        Settings settings = effective.settings();
        settings.warnings().forEach(warning -> err.println("warning: " + warning));
        // Not among Settings.warnings(): run and reload report a revocation by its own event, once.
        settings.gate().revokedTokens().forEach(token -> err.println("warning: " + token.warning()));
        err.flush();
        // Only the config on stdout, so that it can be saved and read back (check-config > effective.conf).
        out.println(effective.hocon().strip());
        out.flush();
        err.println("mapgate: " + config + " is valid: " + summary(settings));
        err.flush();
        return 0;
    }

    /** Where it listens and what it lets in, the gate's own settings first, then each site; names of tokens are not secrets. */
    private static String summary(Settings settings) {
        String host = settings.listen().host();
        String address = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + settings.listen().port();
        String origin = settings.origin().isProxy()
                ? "origin " + settings.origin().url()
                : "static origin " + settings.origin().directory();
        GateSettings gate = settings.gate();
        StringBuilder summary = new StringBuilder("listens on " + address
                + (settings.listen().tls() == null ? "" : " (HTTPS)") + ", " + origin + ", "
                + credentials(gate, gate.sites().unnamed()));
        for (Site site : gate.sites().named()) {
            summary.append("; site ").append(site.name()).append(": ").append(credentials(gate, site));
        }
        return summary.toString();
    }

    private static String credentials(GateSettings gate, Site site) {
        Credentials credentials = site.policy().credentials();
        List<String> tokens = credentials.tokenNames();
        List<String> revoked = gate.revokedTokens().stream()
                .filter(token -> Objects.equals(token.site(), site.name()))
                .map(RevokedToken::name)
                .toList();
        return count(tokens.size(), "token") + (tokens.isEmpty() ? "" : " (" + String.join(", ", tokens) + ")")
                + (revoked.isEmpty() ? "" : ", " + revoked.size() + " revoked (" + String.join(", ", revoked) + ")")
                + ", " + count(credentials.userCount(), "Basic user");
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
