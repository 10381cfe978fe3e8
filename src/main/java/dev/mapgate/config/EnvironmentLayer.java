package dev.mapgate.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code MAPGATE_*} environment variables: the config layer they make, and what is wrong with
 * the ones that are set.
 *
 * <p>A container or a systemd unit sets these far from the config file, so a misspelt name
 * ({@code MAPGATE_ORIGN_URL}) or a value mapgate does not understand ({@code MAPGATE_LOG_FORMAT=jsn})
 * used to leave mapgate running on its defaults with nothing said. Every variable with the prefix
 * is now either read, named in a warning with the closest real name, or refused by name.
 */
public final class EnvironmentLayer {

    /** The variables that set config keys, each as {@code mapgate.key = ${?MAPGATE_KEY}}. */
    static final String RESOURCE = "mapgate-env.conf";

    /** Read by the log configuration (logback.xml) before any config is loaded: {@code json} or {@code text}. */
    public static final String LOG_FORMAT = "MAPGATE_LOG_FORMAT";

    /** Read by {@code mapgate verify} only, so that a token need not appear on a command line. */
    static final String VERIFY_TOKEN = "MAPGATE_VERIFY_TOKEN";

    /**
     * The test suite's own switches ({@code MAPGATE_TEST_REQUIRE_ORIGINS} in CI): they reach the
     * mapgate processes the tests start, and are no mistake of an operator's.
     */
    private static final String TEST_PREFIX = "MAPGATE_TEST_";

    private static final String PREFIX = "MAPGATE_";

    /** {@code ${MAPGATE_X}} or {@code ${?MAPGATE_X}} as an unresolved value renders. */
    private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\{\\??\\s*\"?(MAPGATE_[A-Za-z0-9_]+)");

    /** Config path to the variable that sets it. */
    private static final Map<String, String> VARIABLES = variables();

    private EnvironmentLayer() {
    }

    /** The variable that sets {@code path}, or {@code null} when none does. */
    static String variableFor(String path) {
        return VARIABLES.get(path);
    }

    /** {@value #RESOURCE} resolved against {@code env} alone, so unset variables leave no key. */
    static Config layer(Map<String, String> env) {
        Map<String, String> nonEmpty = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            // "MAPGATE_ORIGIN_URL=" from a template means "not set", not "set to nothing".
            if (name.startsWith(PREFIX) && value != null && !value.isEmpty()) {
                nonEmpty.put(name, value);
            }
        });
        Config resolved = ConfigFactory.parseResources(EnvironmentLayer.class.getClassLoader(), RESOURCE,
                        ConfigParseOptions.defaults().setAllowMissing(false))
                .resolveWith(ConfigValueFactory.fromMap(nonEmpty, "environment variables").toConfig(),
                        ConfigResolveOptions.noSystem());
        // Rebuilt from its leaves: an unset variable leaves an empty object behind (mapgate.admin {}),
        // and an object in a higher layer would hide a file's non-object value at that key, turning
        // "mapgate.admin = 5" into a confusing "mapgate.admin.host: must be set".
        Config layer = ConfigFactory.empty("environment variables");
        for (Map.Entry<String, ConfigValue> entry : resolved.entrySet()) {
            layer = layer.withValue(entry.getKey(), entry.getValue());
        }
        return layer;
    }

    /**
     * One warning per {@code MAPGATE_*} variable that is set but read by nothing: neither by
     * mapgate nor by a {@code ${?MAPGATE_...}} substitution in the operator's file. A warning, not
     * an error: the variable may be meant for another version of mapgate, and refusing to start
     * over it would turn a rollback into an outage.
     *
     * @param env  the environment the config is loaded with
     * @param file the operator's file, parsed and not yet resolved
     */
    static List<String> unknownVariables(Map<String, String> env, Config file) {
        Set<String> known = new TreeSet<>(VARIABLES.values());
        known.add(LOG_FORMAT);
        known.add(VERIFY_TOKEN);
        Set<String> referenced = referencedBy(file);
        List<String> warnings = new ArrayList<>();
        for (String name : new TreeSet<>(env.keySet())) {
            if (!name.startsWith(PREFIX) || name.startsWith(TEST_PREFIX) || known.contains(name)
                    || referenced.contains(name)) {
                continue;
            }
            String closest = KnownKeys.closest(name, known);
            warnings.add("environment variable " + name + " is not one mapgate reads, so it changes nothing"
                    + (closest == null ? "; see the list in reference.conf" : "; did you mean " + closest + "?"));
        }
        return warnings;
    }

    /**
     * Why {@value #LOG_FORMAT} cannot be used, if it cannot. The system property wins over the
     * environment variable, as in logback. Any case is accepted ({@code JSON}); see
     * {@link #logFormat}.
     */
    public static Optional<String> logFormatProblem(String property, String variable) {
        String value = property != null ? property : variable;
        if (value == null || value.isEmpty() || logFormat(value).isPresent()) {
            return Optional.empty();
        }
        return Optional.of((property != null ? "-D" : "environment variable ") + LOG_FORMAT + "=" + value
                + ": expected json or text");
    }

    /** {@code json} or {@code text} for a value in any case with any surrounding blanks; empty otherwise. */
    public static Optional<String> logFormat(String value) {
        String format = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        return format.equals("json") || format.equals("text") ? Optional.of(format) : Optional.empty();
    }

    private static Set<String> referencedBy(Config file) {
        Set<String> names = new TreeSet<>();
        // An unresolved config renders its substitutions as written; that covers included files too.
        Matcher matcher = SUBSTITUTION.matcher(file.root().render(ConfigRenderOptions.concise()));
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static Map<String, String> variables() {
        Config unresolved = ConfigFactory.parseResources(EnvironmentLayer.class.getClassLoader(), RESOURCE);
        Map<String, String> variables = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> entry : unresolved.entrySet()) {
            // The unresolved value renders as ${?NAME}.
            String rendered = entry.getValue().render();
            variables.put(entry.getKey(), rendered.replaceAll("^\\$\\{\\?(.*)}$", "$1"));
        }
        return Map.copyOf(variables);
    }
}
