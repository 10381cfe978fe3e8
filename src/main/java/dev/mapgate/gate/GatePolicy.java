package dev.mapgate.gate;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Decides, for one request, whether it is gated and whether it may pass. Pure and immutable. */
public final class GatePolicy {

    private final String site;
    private final Decision passed;
    private final PathGlobs paths;
    private final boolean requireIp;
    private final boolean requireCredential;
    private final CidrSet allowIps;
    private final Credentials credentials;

    /** The gate's own policy, which judges what no site covers. */
    public GatePolicy(PathGlobs paths, Set<Check> require, CidrSet allowIps, Credentials credentials) {
        this(null, paths, require, allowIps, credentials);
    }

    /**
     * @param site the name of the site this policy judges for, carried by each of its decisions;
     *             {@code null} for the gate's own policy
     * @throws InvalidEntry when {@code require} names no check
     */
    public GatePolicy(String site, PathGlobs paths, Set<Check> require, CidrSet allowIps, Credentials credentials) {
        this.site = site;
        this.passed = Decision.pass(site);
        this.paths = Objects.requireNonNull(paths, "paths");
        Objects.requireNonNull(require, "require");
        this.allowIps = Objects.requireNonNull(allowIps, "allowIps");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        if (require.isEmpty()) {
            throw new InvalidEntry(InvalidEntry.Field.CHECKS, -1, null, "a gate must require at least one check");
        }
        this.requireIp = require.contains(Check.IP);
        this.requireCredential = require.contains(Check.CREDENTIAL);
    }

    public Route route(String canonicalPath) {
        return paths.matches(canonicalPath) ? Route.GATED : Route.PASS;
    }

    /**
     * Never throws: a failure while deciding denies the request with {@link DenyReason#ERROR}.
     * Runs bcrypt only when a credential is required and the address check (if any) passed.
     *
     * @param canonicalPath    decoded path without query, as produced by {@link RequestTarget}
     * @param client           the client address
     * @param tokenHeaderValue value of the configured token header, or {@code null}
     * @param authorization    value of {@code Authorization}, or {@code null}
     */
    public Decision decide(String canonicalPath, ClientAddress client, String tokenHeaderValue, String authorization) {
        if (!client.known() && paths.matches(canonicalPath)) {
            // Fail closed: a hop we trust said something we cannot read, so nobody can say who
            // this is, whatever checks are required.
            return Decision.deny(DenyReason.CLIENT_ADDRESS, null, site);
        }
        return decide(canonicalPath, client.address(), tokenHeaderValue, authorization);
    }

    /** As {@link #decide(String, ClientAddress, String, String)} for a known client address. */
    public Decision decide(String canonicalPath, InetAddress client, String tokenHeaderValue, String authorization) {
        try {
            if (!paths.matches(canonicalPath)) {
                return passed;
            }
            if (requireIp && !allowIps.contains(client)) {
                // A valid credential from a refused address usually means Sentry's addresses changed;
                // the name lets the log say so, but it is not worth a bcrypt run to find out.
                return Decision.deny(DenyReason.IP, nameIfCheap(tokenHeaderValue, authorization), site);
            }
            if (!requireCredential) {
                return Decision.allow(nameIfCheap(tokenHeaderValue, authorization), site);
            }
            CredentialCheck check = credentials.check(tokenHeaderValue, authorization);
            switch (check.outcome()) {
                case VALID:
                    return Decision.allow(check.name(), site);
                case BAD:
                    return Decision.deny(DenyReason.BAD_CREDENTIAL, null, site);
                default:
                    return Decision.deny(DenyReason.NO_CREDENTIAL, null, site);
            }
        } catch (RuntimeException e) {
            return Decision.deny(DenyReason.ERROR, null, site);
        }
    }

    /**
     * True when {@link #decide} may block on bcrypt for these credentials. Conservative: it does not
     * know the path or address, which may yet spare the bcrypt run.
     */
    public boolean isSlow(String tokenHeaderValue, String authorization) {
        return requireCredential && credentials.isSlow(tokenHeaderValue, authorization);
    }

    /**
     * Whether a denial is the one an operator must hear about: a gated request from an address in
     * {@code allow-ips} that lacked a valid credential. That is Sentry's address with a token that
     * no longer matches, i.e. the token was rotated on one side only.
     */
    public boolean isCredentialDrift(Decision decision, ClientAddress client) {
        return decision.route() == Route.GATED
                && (decision.reason() == DenyReason.NO_CREDENTIAL || decision.reason() == DenyReason.BAD_CREDENTIAL)
                && client.known() && !allowIps.isEmpty() && allowIps.contains(client.address());
    }

    /**
     * Whether failed credentials from {@code client} may count towards locking it out. Not for an
     * unknown client, which is denied anyway, and not for an address in {@code allow-ips}: those
     * are Sentry's, and Sentry fetches for all its customers from them. Anyone could point their
     * own Sentry project at these maps with a wrong token, and so lock out the operator's Sentry.
     */
    public boolean mayThrottle(InetAddress client) {
        return client != null && !allowIps.contains(client);
    }

    /**
     * Whether these credentials are proven right without a bcrypt run: a configured token, or a
     * Basic password verified before. What a cool-down still lets through.
     */
    public boolean isCheaplyValid(String tokenHeaderValue, String authorization) {
        return nameIfCheap(tokenHeaderValue, authorization) != null;
    }

    /** Whether {@code token} is one of the configured tokens. For startup messages, not for requests. */
    public boolean acceptsToken(String token) {
        CredentialCheck check = credentials.checkWithoutBcrypt(token, null);
        return check != null && check.outcome() == CredentialCheck.Outcome.VALID;
    }

    /** The site this policy judges for; {@code null} for the gate's own policy. */
    public String site() {
        return site;
    }

    /** A denial of this policy's site that no check of the policy made (a cool-down, a failure). */
    public Decision deny(DenyReason reason) {
        return Decision.deny(reason, null, site);
    }

    /** For describing the config (names and counts); requests go through {@link #decide}. */
    public Credentials credentials() {
        return credentials;
    }

    /**
     * What the operator should fix, e.g. a gate that can allow nothing. Empty when the gate is
     * sound. A site's policy shares the gate's paths, so only the gate's own policy warns about them.
     */
    public List<GateWarning> warnings() {
        List<GateWarning> warnings = new ArrayList<>();
        if (site == null && paths.isEmpty()) {
            warnings.add(new GateWarning(GateWarning.Kind.NOTHING_GATED, ""));
        }
        if (site == null) {
            for (String glob : paths.topFolderOnly()) {
                warnings.add(new GateWarning(GateWarning.Kind.TOP_FOLDER_GLOB, glob));
            }
        }
        if (requireIp && allowIps.isEmpty()) {
            warnings.add(new GateWarning(GateWarning.Kind.IP_REQUIRED_NONE_ALLOWED, ""));
        }
        warnings.addAll(credentials.costWarnings());
        if (requireCredential && credentials.isEmpty()) {
            warnings.add(new GateWarning(GateWarning.Kind.CREDENTIAL_REQUIRED_NONE_CONFIGURED, ""));
        }
        return warnings.stream().map(warning -> warning.inSite(site)).toList();
    }

    @Override
    public String toString() {
        return "GatePolicy[site=" + site + ", paths=" + paths + ", requireIp=" + requireIp + ", requireCredential=" + requireCredential
                + ", allowIps=" + allowIps + ", credentials=" + credentials + "]";
    }

    private String nameIfCheap(String tokenHeaderValue, String authorization) {
        CredentialCheck check = credentials.checkWithoutBcrypt(tokenHeaderValue, authorization);
        return check != null && check.outcome() == CredentialCheck.Outcome.VALID ? check.name() : null;
    }
}
