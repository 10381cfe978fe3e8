package dev.mapgate.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.mapgate.gate.Check;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.InvalidEntry;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.Site;
import dev.mapgate.gate.SiteScope;
import dev.mapgate.gate.Sites;
import dev.mapgate.gate.ThrottleSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code mapgate.gate} into a compiled {@link GatePolicy} and the settings around it, and
 * each of {@code gate.sites} into a {@link Site} of its own.
 */
final class GateReader {

    /** RFC 7230 token: the characters allowed in a header field name. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    /** The keys a site that leaves them out takes from the gate's own settings. */
    static final List<String> INHERITED = List.of("require", "allow-ips", "deny-status");

    /**
     * What a site that leaves them out has otherwise: no hosts or prefixes (it must list one of
     * them), and no credentials. The gate's own tokens and users are never a site's: least
     * privilege is the point of a site, and a token of the gate's opening a site's maps would
     * defeat it.
     */
    static final Config SITE_DEFAULTS = ConfigFactory.parseMap(Map.of(
            "hosts", List.of(), "path-prefixes", List.of(),
            ListSchema.TOKENS.key(), List.of(), ListSchema.USERS.key(), List.of()), "defaults of a site");

    private GateReader() {
    }

    /** The gate, and every token in force with where it was configured (for the warnings about tokens). */
    record Read(GateSettings gate, List<TokenAdvice.Configured> tokens) {
    }

    static Read read(ConfigValues root, ConfigFiles files) {
        ConfigValues values = root.within(ListSchema.GATE);
        PathGlobs paths = paths(values, "paths", values.bool("sibling-names"));
        Set<Check> require = require(values, "require");
        CidrSet allowIps = values.entries("allow-ips", CidrSet::parse);

        String header = values.string("token.header");
        if (!HEADER_NAME.matcher(header).matches()) {
            throw values.problem("token.header", "\"" + header + "\" is not a valid HTTP header name");
        }
        CredentialsReader.Read credentials = CredentialsReader.read(values, files, null);

        String realm = values.string("basic.realm");
        if (realm.chars().anyMatch(c -> c == '"' || c == '\\' || Character.isISOControl(c))) {
            throw values.problem("basic.realm", "must not contain a double quote, backslash or control character");
        }
        int denyStatus = denyStatus(values);
        GatePolicy policy = policy(values, null, paths, require, allowIps, credentials);

        List<TokenAdvice.Configured> tokens = new ArrayList<>(credentials.tokens());
        List<RevokedToken> revoked = new ArrayList<>(credentials.revoked());
        List<ConfigValues> elements = values.objects(ListSchema.SITES);
        List<Site> named = new ArrayList<>();
        for (int i = 0; i < elements.size(); i++) {
            // The gate's values were read above, so one a site inherits is already known to be valid.
            ConfigValues site = elements.get(i).inheriting(values, INHERITED).withDefaults(SITE_DEFAULTS);
            String name = name(site, i);
            CredentialsReader.Read own = CredentialsReader.read(site, files, name);
            tokens.addAll(own.tokens());
            revoked.addAll(own.revoked());
            named.add(site(site, values.path(ListSchema.SITES.key()) + "[" + i + "]", name, paths, own));
        }
        Sites sites;
        try {
            sites = new Sites(Site.unnamed(policy, denyStatus), named);
        } catch (InvalidEntry e) {
            // The one thing Sites refuses: a name taken by an earlier site.
            throw elements.get(e.index()).problem("name", e.getMessage());
        }
        return new Read(new GateSettings(policy, header, realm, denyStatus, credentials.hasBasicUsers(),
                throttle(values, "throttle."), values.bool("content-guard"), revoked, sites), tokens);
    }

    private static String name(ConfigValues site, int index) {
        String name = site.string("name");
        try {
            Site.checkName(name, index);
        } catch (InvalidEntry e) {
            throw site.problem("name", e.getMessage());
        }
        return name;
    }

    /**
     * One site: what it covers, and who may pass there.
     *
     * @param path  where the site is configured, {@code mapgate.gate.sites[0]}
     * @param paths the gate's, which every site shares
     */
    private static Site site(ConfigValues values, String path, String name, PathGlobs paths,
                             CredentialsReader.Read credentials) {
        List<String> hosts = values.stringList("hosts");
        List<String> prefixes = values.stringList("path-prefixes");
        if (hosts.isEmpty() && prefixes.isEmpty()) {
            // Such a site would cover every request, taking the place of the gate's own settings
            // without a word.
            throw new ConfigProblem(path + ": list hosts, path-prefixes or both; a site that covers every request"
                    + " would replace the gate's own settings");
        }
        SiteScope scope;
        try {
            scope = SiteScope.of(hosts, prefixes);
        } catch (InvalidEntry e) {
            String list = e.field() == InvalidEntry.Field.HOST ? "hosts" : "path-prefixes";
            throw values.problem(list + "[" + e.index() + "]", e.getMessage());
        }
        Set<Check> require = require(values, "require");
        CidrSet allowIps = values.entries("allow-ips", CidrSet::parse);
        return new Site(name, scope, policy(values, name, paths, require, allowIps, credentials), denyStatus(values));
    }

    private static GatePolicy policy(ConfigValues values, String site, PathGlobs paths, Set<Check> require,
                                     CidrSet allowIps, CredentialsReader.Read credentials) {
        try {
            return new GatePolicy(site, paths, require, allowIps, credentials.credentials());
        } catch (InvalidEntry e) {
            throw values.problem("require", e.getMessage());
        }
    }

    private static int denyStatus(ConfigValues values) {
        // Compared before narrowing, so that 2^32 + 404 is not taken for 404.
        long status = values.integer("deny-status");
        if (status != 401 && status != 403 && status != 404) {
            throw values.problem("deny-status", status + " is not one of 404, 401, 403");
        }
        return (int) status;
    }

    private static ThrottleSettings throttle(ConfigValues values, String p) {
        return new ThrottleSettings(
                values.bool(p + "enabled"),
                values.intInRange(p + "max-failures", 1, Integer.MAX_VALUE),
                values.positiveDuration(p + "window", ThrottleSettings.MAX_DURATION),
                values.positiveDuration(p + "cool-down", ThrottleSettings.MAX_DURATION),
                values.intInRange(p + "max-tracked", 1, ThrottleSettings.MAX_TRACKED));
    }

    private static PathGlobs paths(ConfigValues values, String key, boolean siblings) {
        if (values.stringList(key).isEmpty()) {
            // An empty list gates nothing, which would serve every source map to anyone.
            throw values.problem(key, "must list at least one glob, e.g. [\"**/*.map\"]");
        }
        return values.entries(key, globs -> PathGlobs.compile(globs, siblings));
    }

    private static Set<Check> require(ConfigValues values, String key) {
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
}
