package dev.mapgate.config;

import dev.mapgate.gate.Check;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.InvalidEntry;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.ThrottleSettings;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code mapgate.gate} into a compiled {@link GatePolicy} and the settings around it. */
final class GateReader {

    private static final String P = "mapgate.gate.";

    /** RFC 7230 token: the characters allowed in a header field name. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    private GateReader() {
    }

    /** The gate, and its credentials as read (for the warnings about tokens). */
    record Read(GateSettings gate, CredentialsReader.Read credentials) {
    }

    static Read read(ConfigValues values, ConfigFiles files) {
        PathGlobs paths = paths(values, P + "paths", values.bool(P + "sibling-names"));
        Set<Check> require = require(values, P + "require");
        CidrSet allowIps = values.entries(P + "allow-ips", CidrSet::parse);

        String header = values.string(P + "token.header");
        if (!HEADER_NAME.matcher(header).matches()) {
            throw values.problem(P + "token.header", "\"" + header + "\" is not a valid HTTP header name");
        }
        CredentialsReader.Read credentials = CredentialsReader.read(values, files);

        String realm = values.string(P + "basic.realm");
        if (realm.chars().anyMatch(c -> c == '"' || c == '\\' || Character.isISOControl(c))) {
            throw values.problem(P + "basic.realm", "must not contain a double quote, backslash or control character");
        }
        int denyStatus = (int) values.integer(P + "deny-status");
        if (denyStatus != 401 && denyStatus != 403 && denyStatus != 404) {
            throw values.problem(P + "deny-status", denyStatus + " is not one of 404, 401, 403");
        }
        GatePolicy policy;
        try {
            policy = new GatePolicy(paths, require, allowIps, credentials.credentials());
        } catch (InvalidEntry e) {
            throw values.problem(P + "require", e.getMessage());
        }
        return new Read(new GateSettings(policy, header, realm, denyStatus, credentials.hasBasicUsers(),
                throttle(values, P + "throttle."), values.bool(P + "content-guard"), credentials.revoked()), credentials);
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
