package dev.mapgate.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads a HOCON file over {@code reference.conf} into one validated {@link Settings} snapshot.
 *
 * <p>Layers, highest precedence first:
 * <ol>
 *   <li>{@value EnvironmentLayer#RESOURCE}: the {@code MAPGATE_*} environment variables. An unset or empty
 *       variable leaves no key. If it sets {@code origin.url} or {@code origin.directory}, the
 *       file's {@code origin.url} and {@code origin.directory} are both dropped, so an environment
 *       origin replaces the file's origin instead of clashing with it ("both are set").</li>
 *   <li>the operator's config file, which may use {@code ${?VAR}} and refer to
 *       {@code ${mapgate.ip-ranges.*}};</li>
 *   <li>{@code reference.conf}: every key with its default.</li>
 * </ol>
 * Substitutions are resolved against the merged config, then the given environment; JVM system
 * properties are deliberately not consulted, so {@code -Dmapgate...} does not change behavior.
 */
public final class SettingsLoader {

    private SettingsLoader() {
    }

    /**
     * Loads {@code configFile} with overrides from the process environment.
     *
     * @throws ConfigProblem naming the key path and the problem
     */
    public static Settings load(Path configFile) {
        return load(configFile, System.getenv());
    }

    /**
     * Loads {@code configFile} with {@code env} standing in for the process environment, both for
     * the {@code MAPGATE_*} overrides and for {@code ${?VAR}} in the file.
     *
     * @throws ConfigProblem naming the key path and the problem
     */
    static Settings load(Path configFile, Map<String, String> env) {
        return read(configFile, env).settings();
    }

    /**
     * Loads {@code configFile} exactly as {@link #load(Path)} does and keeps, besides the
     * settings, the merged config they were read from, secrets redacted: what
     * {@code mapgate check-config} prints.
     *
     * @throws ConfigProblem naming the key path and the problem
     */
    public static EffectiveConfig effective(Path configFile) {
        return effective(configFile, System.getenv());
    }

    /** {@link #effective(Path)} with {@code env} standing in for the process environment. */
    static EffectiveConfig effective(Path configFile, Map<String, String> env) {
        Loaded loaded = read(configFile, env);
        return EffectiveConfig.redacted(loaded.settings(), loaded.merged(),
                configFile.toAbsolutePath().normalize().getParent());
    }

    /** The merged, resolved config and the settings validated from it. */
    private record Loaded(Config merged, Settings settings) {
    }

    private static Loaded read(Path configFile, Map<String, String> env) {
        Path file = configFile.toAbsolutePath().normalize();
        if (!Files.exists(file)) {
            // The caller's line already names the path as given; add where that is only when it was relative.
            throw new ConfigProblem("the file does not exist" + (configFile.isAbsolute() ? "" : " (looked for " + file + ")"));
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigProblem(Files.isDirectory(file) ? "a folder, not a config file" : "not a regular file");
        }
        try {
            Config envLayer = EnvironmentLayer.layer(env);
            Config reference = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf",
                    ConfigParseOptions.defaults().setAllowMissing(false)).withOnlyPath("mapgate");
            Config fileLayer = joining(() -> ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false)));
            KnownKeys.checkOutsideBlock(fileLayer, reference.getObject("mapgate"));
            List<String> envWarnings = EnvironmentLayer.unknownVariables(env, fileLayer);
            if (envLayer.hasPath("mapgate.origin.url") || envLayer.hasPath("mapgate.origin.directory")) {
                fileLayer = fileLayer.withoutPath("mapgate.origin.url").withoutPath("mapgate.origin.directory");
            }
            // The environment is a fallback for substitutions only; anything it adds at the root is
            // outside "mapgate" and never read.
            Config unresolved = envLayer.withFallback(fileLayer).withFallback(reference)
                    .withFallback(ConfigValueFactory.fromMap(env, "environment variables"));
            Config config = joining(() -> unresolved.resolve(ConfigResolveOptions.noSystem()));

            ConfigValue root = config.getValue("mapgate");
            if (root.valueType() != ConfigValueType.OBJECT) {
                throw new ConfigProblem(oneLine("mapgate: expected an object { ... }, got "
                        + ConfigValues.typeName(root) + " (" + root.origin().description() + ")"));
            }
            KnownKeys.check((ConfigObject) root, reference.getObject("mapgate"));
            ConfigValues values = new ConfigValues(config, "",
                    path -> EnvironmentLayer.variableFor(path) != null && envLayer.hasPath(path)
                            ? EnvironmentLayer.variableFor(path) : null);
            return new Loaded(config, SettingsReader.read(values, new ConfigFiles(file), envWarnings));
        } catch (ConfigException e) {
            // Syntax errors, unresolved substitutions and the like: Typesafe's message names the
            // file and line (and the key, where there is one).
            throw new ConfigProblem(oneLine(e.getMessage()));
        }
    }

    /**
     * Runs a step that joins values written side by side (parsing, and resolving a substitution).
     * Typesafe's message for a pair it cannot join quotes both values, and one may be a token, from
     * the file or from the environment; this one says where and why, without them.
     */
    private static Config joining(Supplier<Config> step) {
        try {
            return step.get();
        } catch (ConfigException.WrongType e) {
            throw new ConfigProblem((e.origin() == null ? "" : e.origin().description() + ": ")
                    + "values written side by side cannot be joined (a string, number or boolean beside a list"
                    + " or an object); quote the whole value, or separate list elements with commas");
        }
    }

    /** Collapses a message onto one line; some Typesafe messages span several. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
