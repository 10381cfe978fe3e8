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
import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.gate.BasicUser;
import dev.mapgate.gate.Check;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.Htpasswd;
import dev.mapgate.gate.InvalidEntry;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.gate.ThrottleSettings;
import dev.mapgate.tls.ListenTlsSettings;
import dev.mapgate.tls.ServerTls;
import dev.mapgate.tls.TlsFileProblem;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.Token;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a HOCON file over {@code reference.conf} into one validated {@link Settings} snapshot.
 *
 * <p>Layers, highest precedence first:
 * <ol>
 *   <li>{@value #ENV_RESOURCE}: the {@code MAPGATE_*} environment variables. An unset or empty
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

    static final String ENV_RESOURCE = "mapgate-env.conf";

    /** Config path set by each environment variable of {@value #ENV_RESOURCE}, for messages. */
    private static final Map<String, String> ENV_VARIABLES = envVariables();

    /** RFC 7230 token: the characters allowed in a header field name. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

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
        return EffectiveConfig.redacted(loaded.settings(), loaded.merged());
    }

    /** The merged, resolved config and the settings validated from it. */
    private record Loaded(Config merged, Settings settings) {
    }

    private static Loaded read(Path configFile, Map<String, String> env) {
        Path file = configFile.toAbsolutePath().normalize();
        if (!Files.exists(file)) {
            throw new ConfigProblem(file + ": config file does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigProblem(file + ": config file is not a regular file");
        }
        try {
            Config envLayer = envLayer(env);
            Config reference = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf",
                    ConfigParseOptions.defaults().setAllowMissing(false)).withOnlyPath("mapgate");
            Config fileLayer = ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
            if (envLayer.hasPath("mapgate.origin.url") || envLayer.hasPath("mapgate.origin.directory")) {
                fileLayer = fileLayer.withoutPath("mapgate.origin.url").withoutPath("mapgate.origin.directory");
            }
            // The environment is a fallback for substitutions only; anything it adds at the root is
            // outside "mapgate" and never read.
            Config config = envLayer.withFallback(fileLayer).withFallback(reference)
                    .withFallback(ConfigValueFactory.fromMap(env, "environment variables"))
                    .resolve(ConfigResolveOptions.noSystem());

            ConfigValue root = config.getValue("mapgate");
            if (root.valueType() != ConfigValueType.OBJECT) {
                throw new ConfigProblem(oneLine("mapgate: expected an object { ... }, got "
                        + ConfigValues.typeName(root) + " (" + root.origin().description() + ")"));
            }
            KnownKeys.check((ConfigObject) root, reference.getObject("mapgate"));
            ConfigValues values = new ConfigValues(config, "",
                    path -> ENV_VARIABLES.containsKey(path) && envLayer.hasPath(path) ? ENV_VARIABLES.get(path) : null);
            return new Loaded(config, new Reader(values, file).settings());
        } catch (ConfigException e) {
            // Syntax errors, unresolved substitutions and the like: Typesafe's message names the
            // file and line (and the key, where there is one).
            throw new ConfigProblem(oneLine(e.getMessage()));
        }
    }

    /** {@value #ENV_RESOURCE} resolved against {@code env} alone, so unset variables leave no key. */
    private static Config envLayer(Map<String, String> env) {
        Map<String, String> nonEmpty = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            // "MAPGATE_ORIGIN_URL=" from a template means "not set", not "set to nothing".
            if (name.startsWith("MAPGATE_") && value != null && !value.isEmpty()) {
                nonEmpty.put(name, value);
            }
        });
        Config resolved = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), ENV_RESOURCE,
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

    private static Map<String, String> envVariables() {
        Config unresolved = ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), ENV_RESOURCE);
        Map<String, String> variables = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> entry : unresolved.entrySet()) {
            // The unresolved value renders as ${?NAME}.
            String rendered = entry.getValue().render();
            variables.put(entry.getKey(), rendered.replaceAll("^\\$\\{\\?(.*)}$", "$1"));
        }
        return Map.copyOf(variables);
    }

    /** Collapses a message onto one line; some Typesafe messages span several. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Where a token's name and its secret (value or file) were configured. */
    private record TokenKeys(String name, String secret) {
    }

    /** Builds the settings from the merged, resolved config. One instance per load. */
    private static final class Reader {

        private final ConfigValues values;
        private final Path baseDirectory;
        /** The config file and every file it points the gate to, for the reload watcher. */
        private final List<Path> sources = new ArrayList<>();

        /** The keys of each token in force, in order, to name the one the gate refuses. */
        private final List<TokenKeys> tokenKeys = new ArrayList<>();

        /** The tokens in force with their keys, judged once the listener's host is known. */
        private final List<TokenAdvice.Configured> configuredTokens = new ArrayList<>();

        Reader(ConfigValues values, Path configFile) {
            this.values = values;
            this.baseDirectory = configFile.getParent();
            sources.add(configFile);
        }

        Settings settings() {
            ListenSettings listen = listen();
            OriginSettings origin = origin();
            if (listen.ioThreads() > 0 && origin.maxConnections() < listen.ioThreads()) {
                throw values.problem("mapgate.origin.max-connections", origin.maxConnections() + " is fewer than the "
                        + listen.ioThreads() + " event loops of mapgate.listen.io-threads; each needs at least one");
            }
            GateSettings gate = gate();
            ClientAddressResolver clientIp = clientIp(gate.tokenHeader());
            AdminSettings admin = admin();
            List<String> warnings = new ArrayList<>(GateWarnings.render(gate.policy().warnings()));
            warnings.addAll(TokenAdvice.warnings(configuredTokens, listen.host()));
            if (origin.insecure()) {
                warnings.add("mapgate.origin.tls.insecure = true: the origin's certificate is not checked; anyone "
                        + "on the path to the origin can read and change what mapgate serves, source maps included");
            }
            if (listen.proxyProtocol() && clientIp.trustedProxies().isEmpty()) {
                warnings.add("mapgate.listen.proxy-protocol = on but mapgate.client-ip.trusted-proxies is empty: "
                        + "no peer may send a PROXY header, so every connection that does is closed");
            }
            ShutdownSettings shutdown = new ShutdownSettings(
                    values.nonNegativeDuration("mapgate.shutdown.drain-delay"),
                    values.positiveDuration("mapgate.shutdown.grace"));
            Duration reloadInterval = values.positiveDuration("mapgate.reload.check-interval");
            return new Settings(listen, origin, gate, clientIp, admin, shutdown, reloadInterval, sources, warnings);
        }

        private AdminSettings admin() {
            String p = "mapgate.admin.";
            return new AdminSettings(values.string(p + "host"),
                    // 0 lets the OS pick a free port, as for the listener.
                    values.intInRange(p + "port", 0, 65535),
                    // Bounded so that the timers' nanoseconds cannot overflow.
                    values.positiveDuration(p + "header-timeout", Duration.ofDays(365)),
                    values.positiveDuration(p + "idle-timeout", Duration.ofDays(365)),
                    values.intInRange(p + "max-connections", 1, Integer.MAX_VALUE));
        }

        private ListenSettings listen() {
            String p = "mapgate.listen.";
            return new ListenSettings(
                    values.string(p + "host"),
                    // 0 lets the OS pick a free port; the startup line names it.
                    values.intInRange(p + "port", 0, 65535),
                    values.intInRange(p + "io-threads", 0, Integer.MAX_VALUE),
                    parseEntries(p + "hosts", AcceptedHosts::of),
                    values.positiveIntSize(p + "max-initial-line-length"),
                    values.positiveIntSize(p + "max-header-size"),
                    values.intInRange(p + "max-header-count", 1, Integer.MAX_VALUE),
                    values.positiveDuration(p + "header-timeout"),
                    values.positiveDuration(p + "keep-alive-timeout"),
                    values.positiveDuration(p + "body-timeout"),
                    values.positiveDuration(p + "idle-timeout"),
                    values.intInRange(p + "max-connections", 1, Integer.MAX_VALUE),
                    values.bool(p + "proxy-protocol"),
                    listenTls(p + "tls."),
                    transport(p + "transport"));
        }

        private ListenSettings.Transport transport(String key) {
            String text = values.string(key);
            return switch (text) {
                case "auto" -> ListenSettings.Transport.AUTO;
                case "epoll" -> ListenSettings.Transport.EPOLL;
                case "nio" -> ListenSettings.Transport.NIO;
                default -> throw values.problem(key, "\"" + text + "\" is not one of auto, epoll, nio");
            };
        }

        private ListenTlsSettings listenTls(String p) {
            String chain = values.optionalString(p + "certificate-chain");
            String key = values.optionalString(p + "private-key");
            Duration reloadInterval = values.positiveDuration(p + "reload-interval");
            String providerText = values.string(p + "provider");
            ListenTlsSettings.Provider provider = switch (providerText) {
                case "auto" -> ListenTlsSettings.Provider.AUTO;
                case "openssl" -> ListenTlsSettings.Provider.OPENSSL;
                case "jdk" -> ListenTlsSettings.Provider.JDK;
                default -> throw values.problem(p + "provider", "\"" + providerText + "\" is not one of auto, openssl, jdk");
            };
            if (chain == null && key == null) {
                return null;
            }
            if (chain == null || key == null) {
                String missing = chain == null ? "certificate-chain" : "private-key";
                throw values.problem(p + missing, "is not set; HTTPS needs both " + p + "certificate-chain and "
                        + p + "private-key");
            }
            ListenTlsSettings tls = new ListenTlsSettings(readableFile(p + "certificate-chain", chain),
                    readableFile(p + "private-key", key), reloadInterval, provider);
            // Built once here, and thrown away, so that a bad pair stops startup with the key's name.
            try (ServerTls check = ServerTls.load(tls)) {
                return tls;
            } catch (TlsFileProblem e) {
                throw values.problem(p + e.key(), oneLine(e.getMessage()));
            }
        }

        private Path readableFile(String key, String text) {
            Path file = resolve(key, text);
            if (!Files.isRegularFile(file)) {
                throw values.problem(key, file + (Files.exists(file) ? " is not a regular file" : " does not exist"));
            }
            if (!Files.isReadable(file)) {
                throw values.problem(key, file + " cannot be read");
            }
            return file;
        }

        private ClientAddressResolver clientIp(String tokenHeader) {
            String p = "mapgate.client-ip.";
            CidrSet trusted = parseEntries(p + "trusted-proxies", CidrSet::parse);
            List<String> entries = trusted.entries();
            for (int i = 0; i < entries.size(); i++) {
                if (entries.get(i).strip().endsWith("/0")) {
                    // Every peer could then name any client, Sentry's addresses included.
                    throw values.problem(p + "trusted-proxies[" + i + "]", "'" + entries.get(i) + "' trusts every "
                            + "address, so anyone could claim to be Sentry; list your proxies' own ranges");
                }
            }
            String header = values.string(p + "header");
            if (header.equalsIgnoreCase(tokenHeader)) {
                throw values.problem(p + "header", "\"" + header + "\" is the token header (gate.token.header)");
            }
            try {
                return ClientAddressResolver.of(trusted, header);
            } catch (IllegalArgumentException e) {
                throw values.problem(p + "header", oneLine(e.getMessage()));
            }
        }


        private OriginSettings origin() {
            String p = "mapgate.origin.";
            String url = values.optionalString(p + "url");
            String directory = values.optionalString(p + "directory");
            if ((url == null) == (directory == null)) {
                throw new ConfigProblem("mapgate.origin: set exactly one of mapgate.origin.url and "
                        + "mapgate.origin.directory; " + (url == null ? "neither is set" : "both are set"));
            }
            Duration connectTimeout = values.positiveDuration(p + "connect-timeout");
            Duration responseTimeout = values.positiveDuration(p + "response-timeout");
            Duration poolIdleTimeout = values.positiveDuration(p + "pool-idle-timeout");
            int maxConnections = values.intInRange(p + "max-connections", 1, 1_000_000);
            String ca = values.optionalString(p + "tls.ca-file");
            Path caFile = ca == null ? null : caFile(p + "tls.ca-file", ca);
            boolean insecure = values.bool(p + "tls.insecure");
            if (insecure && caFile != null) {
                throw values.problem(p + "tls.insecure", "cannot be combined with " + p + "tls.ca-file: with insecure "
                        + "no certificate is checked, so the CA would never be used");
            }
            return new OriginSettings(
                    url == null ? null : originUrl(p + "url", url),
                    directory == null ? null : existingDirectory(p + "directory", directory),
                    connectTimeout, responseTimeout, poolIdleTimeout, maxConnections, caFile, insecure);
        }

        /** The URL is never echoed: it may carry user:password. */
        private URI originUrl(String key, String text) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw values.problem(key, "is not a valid URL: " + e.getReason() + " at index " + e.getIndex());
            }
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw values.problem(key, "must start with http:// or https://");
            }
            if (uri.getRawUserInfo() != null) {
                throw values.problem(key, "must not contain user:password@; mapgate sends no credentials to the origin");
            }
            if (uri.getHost() == null) {
                throw values.problem(key, "has no host name");
            }
            if (uri.getRawQuery() != null) {
                throw values.problem(key, "must not have a query (?...)");
            }
            if (uri.getRawFragment() != null) {
                throw values.problem(key, "must not have a fragment (#...)");
            }
            return uri;
        }

        private Path existingDirectory(String key, String text) {
            Path directory = resolve(key, text);
            if (!Files.exists(directory)) {
                throw values.problem(key, directory + " does not exist");
            }
            if (!Files.isDirectory(directory)) {
                throw values.problem(key, directory + " is not a directory");
            }
            return directory;
        }

        /** Parsed here so that a wrong file fails at startup, not on the first origin connection. */
        private Path caFile(String key, String text) {
            Path file = resolve(key, text);
            try (InputStream in = Files.newInputStream(file)) {
                if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                    throw values.problem(key, file + " contains no certificate");
                }
            } catch (IOException e) {
                throw values.problem(key, file + " cannot be read (" + e.getClass().getSimpleName() + ")");
            } catch (CertificateException e) {
                throw values.problem(key, file + " is not a PEM certificate bundle (" + oneLine(e.getMessage()) + ")");
            }
            return file;
        }

        private GateSettings gate() {
            String p = "mapgate.gate.";
            PathGlobs paths = paths(p + "paths", values.bool(p + "sibling-names"));
            Set<Check> require = require(p + "require");
            CidrSet allowIps = parseEntries(p + "allow-ips", CidrSet::parse);

            String header = values.string(p + "token.header");
            if (!HEADER_NAME.matcher(header).matches()) {
                throw values.problem(p + "token.header", "\"" + header + "\" is not a valid HTTP header name");
            }
            List<RevokedToken> revoked = new ArrayList<>();
            List<Token> tokens = tokens(p + "token.tokens", revoked);
            List<BasicUser> users = new ArrayList<>(users(p + "basic.users"));
            int configuredUsers = users.size();
            String htpasswd = values.optionalString(p + "basic.htpasswd-file");
            if (htpasswd != null) {
                users.addAll(htpasswdUsers(p + "basic.htpasswd-file", htpasswd));
            }
            Credentials credentials = credentials(tokens, users, configuredUsers);

            String realm = values.string(p + "basic.realm");
            if (realm.chars().anyMatch(c -> c == '"' || c == '\\' || Character.isISOControl(c))) {
                throw values.problem(p + "basic.realm", "must not contain a double quote, backslash or control character");
            }
            int denyStatus = (int) values.integer(p + "deny-status");
            if (denyStatus != 401 && denyStatus != 403 && denyStatus != 404) {
                throw values.problem(p + "deny-status", denyStatus + " is not one of 404, 401, 403");
            }

            GatePolicy policy;
            try {
                policy = new GatePolicy(paths, require, allowIps, credentials);
            } catch (InvalidEntry e) {
                throw new ConfigProblem(p + "require: " + e.getMessage());
            }
            return new GateSettings(policy, header, realm, denyStatus, !users.isEmpty(), throttle(p + "throttle."),
                    values.bool(p + "content-guard"), revoked);
        }

        private ThrottleSettings throttle(String p) {
            return new ThrottleSettings(
                    values.bool(p + "enabled"),
                    values.intInRange(p + "max-failures", 1, Integer.MAX_VALUE),
                    values.positiveDuration(p + "window", ThrottleSettings.MAX_DURATION),
                    values.positiveDuration(p + "cool-down", ThrottleSettings.MAX_DURATION),
                    values.intInRange(p + "max-tracked", 1, ThrottleSettings.MAX_TRACKED));
        }

        private PathGlobs paths(String key, boolean siblings) {
            List<String> globs = values.stringList(key);
            if (globs.isEmpty()) {
                // An empty list gates nothing, which would serve every source map to anyone.
                throw values.problem(key, "must list at least one glob, e.g. [\"**/*.map\"]");
            }
            try {
                return PathGlobs.compile(globs, siblings);
            } catch (InvalidEntry e) {
                throw entryProblem(key, e);
            }
        }

        private Set<Check> require(String key) {
            List<String> names = values.stringList(key);
            if (names.isEmpty()) {
                throw values.problem(key, "must not be empty; use [ip, credential], [credential] or [ip]");
            }
            Set<Check> checks = EnumSet.noneOf(Check.class);
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                Check check = null;
                for (Check candidate : Check.values()) {
                    if (candidate.configName().equals(name)) {
                        check = candidate;
                    }
                }
                if (check == null) {
                    throw values.problem(key + "[" + i + "]", "\"" + name + "\" is not one of ip, credential");
                }
                if (!checks.add(check)) {
                    throw values.problem(key + "[" + i + "]", "\"" + name + "\" is listed twice");
                }
            }
            return Collections.unmodifiableSet(checks);
        }

        /**
         * A list of strings parsed by one of the gate classes. The message names the index;
         * ${...} concatenation makes the position in the file hard to see otherwise.
         */
        private <T> T parseEntries(String key, Function<List<String>, T> parser) {
            try {
                return parser.apply(values.stringList(key));
            } catch (InvalidEntry e) {
                throw entryProblem(key, e);
            }
        }

        /** A list entry the gate refused, under the key of the list and the entry's index. */
        private ConfigProblem entryProblem(String key, InvalidEntry e) {
            return new ConfigProblem(oneLine(key + (e.index() < 0 ? "" : "[" + e.index() + "]") + ": " + e.getMessage()));
        }

        /**
         * The tokens in force; those whose file is deleted or empty go to {@code revoked} instead.
         * Such a config loads, so that check-config, startup and a reload all agree on it.
         */
        private List<Token> tokens(String key, List<RevokedToken> revoked) {
            List<? extends ConfigValue> elements = values.list(key);
            List<Token> tokens = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < elements.size(); i++) {
                String elementPath = key + "[" + i + "]";
                ConfigValues element = element(key, i, elements.get(i), "name and value or file");
                String name = element.string("name");
                boolean hasValue = element.isSet("value");
                boolean hasFile = element.isSet("file");
                if (hasValue == hasFile) {
                    throw new ConfigProblem(elementPath + ": set exactly one of value and file; "
                            + (hasValue ? "both are set" : "neither is set"));
                }
                // Over revoked tokens too: whether a config is valid must not hang on which files exist.
                if (!names.add(name)) {
                    throw new ConfigProblem(key + ": token name '" + name + "' is used twice");
                }
                String secretKey = hasValue ? "value" : "file";
                String value;
                if (hasValue) {
                    value = element.string("value");
                } else {
                    Path file = resolve(element.path("file"), element.string("file"));
                    TokenFile.Contents contents = tokenFile(element, file);
                    if (contents instanceof TokenFile.Revoked revocation) {
                        if (name.isBlank()) {
                            throw element.problem("name", "must not be blank");
                        }
                        revoked.add(new RevokedToken(name, elementPath, file, revocation.cause()));
                        continue;
                    }
                    value = ((TokenFile.Token) contents).value();
                }
                Token token = new Token(name, value);
                tokens.add(token);
                tokenKeys.add(new TokenKeys(element.path("name"), element.path(secretKey)));
                configuredTokens.add(new TokenAdvice.Configured(elementPath, token));
            }
            return tokens;
        }

        private TokenFile.Contents tokenFile(ConfigValues element, Path file) {
            // Watched whatever it holds: a deleted file coming back must be noticed.
            sources.add(file);
            try {
                return TokenFile.read(file);
            } catch (IOException e) {
                throw element.problem("file", file + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }

        private List<BasicUser> users(String key) {
            List<? extends ConfigValue> elements = values.list(key);
            List<BasicUser> users = new ArrayList<>();
            for (int i = 0; i < elements.size(); i++) {
                ConfigValues element = element(key, i, elements.get(i), "name and password-hash");
                String name = element.string("name");
                String hash = element.string("password-hash");
                users.add(new BasicUser(name, hash));
            }
            return users;
        }

        private List<BasicUser> htpasswdUsers(String key, String text) {
            Path file = resolve(key, text);
            sources.add(file);
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw values.problem(key, file + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
            try {
                return Htpasswd.parse(lines, file.toString());
            } catch (InvalidEntry e) {
                throw new ConfigProblem(oneLine(key + ": " + e.getMessage()));
            }
        }

        /**
         * The gate names the token or user at fault by its position: a token's in {@link #tokenKeys},
         * a user's among the configured users, else in the htpasswd file.
         */
        private Credentials credentials(List<Token> tokens, List<BasicUser> users, int configuredUsers) {
            try {
                return new Credentials(tokens, users);
            } catch (InvalidEntry e) {
                String key = switch (e.field()) {
                    case TOKEN_NAME -> tokenKeys.get(e.index()).name();
                    case TOKEN_VALUE -> tokenKeys.get(e.index()).secret();
                    default -> e.index() >= configuredUsers ? "mapgate.gate.basic.htpasswd-file"
                            : "mapgate.gate.basic.users[" + e.index() + "]."
                            + (e.field() == InvalidEntry.Field.PASSWORD_HASH ? "password-hash" : "name");
                };
                throw new ConfigProblem(oneLine(key + ": " + e.getMessage()));
            }
        }

        private ConfigValues element(String key, int index, ConfigValue value, String fields) {
            if (value.valueType() != ConfigValueType.OBJECT) {
                throw values.elementWrongType(key, index, value, "an object with " + fields);
            }
            return values.nested(((ConfigObject) value).toConfig(), key + "[" + index + "]");
        }

        /** Relative paths are relative to the config file, so a config folder can be moved as a whole. */
        private Path resolve(String key, String text) {
            if (text.isEmpty()) {
                throw new ConfigProblem(key + ": must not be empty");
            }
            try {
                return baseDirectory.resolve(text).toAbsolutePath().normalize();
            } catch (java.nio.file.InvalidPathException e) {
                throw new ConfigProblem(oneLine(key + ": is not a valid path (" + e.getReason() + ")"));
            }
        }
    }
}
