package dev.mapgate.config;

import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.Site;
import dev.mapgate.gate.Sites;
import dev.mapgate.gate.ThrottleSettings;
import java.util.List;

/**
 * The gate ({@code mapgate.gate}), already compiled into a {@link GatePolicy} for its own
 * settings and one per site ({@code gate.sites}).
 *
 * @param policy         the gate's own policy, which judges what no site covers
 * @param denyStatus     the gate's own deny status (a site may have another)
 * @param hasBasicUsers  whether the gate's own settings have a Basic user
 * @param tokenHeader    the header Sentry sends its security token in
 * @param realm          Basic realm for {@code WWW-Authenticate} on a 401
 * @param throttle       brute-force throttling of failed credentials
 * @param contentGuard   whether responses on ungated paths are checked for a source map's content
 * @param revokedTokens  configured tokens left out of a policy because their file was deleted or
 *                       emptied, in config order, the gate's own first; a reload compares them with
 *                       the running ones
 * @param sites          which site judges a request; its unnamed site is {@code policy} and {@code denyStatus}
 */
public record GateSettings(GatePolicy policy, String tokenHeader, String realm, int denyStatus,
                           boolean hasBasicUsers, ThrottleSettings throttle, boolean contentGuard,
                           List<RevokedToken> revokedTokens, Sites sites) {

    public GateSettings {
        revokedTokens = List.copyOf(revokedTokens);
        if (sites.unnamed().policy() != policy || sites.unnamed().denyStatus() != denyStatus) {
            throw new IllegalArgumentException("the sites' unnamed site must be the gate's own settings");
        }
    }

    /** A gate without sites. */
    public GateSettings(GatePolicy policy, String tokenHeader, String realm, int denyStatus,
                        boolean hasBasicUsers, ThrottleSettings throttle, boolean contentGuard,
                        List<RevokedToken> revokedTokens) {
        this(policy, tokenHeader, realm, denyStatus, hasBasicUsers, throttle, contentGuard, revokedTokens,
                Sites.none(Site.unnamed(policy, denyStatus)));
    }

    /**
     * The site a denial of {@code decision}'s request answers for: the one that judged it, which
     * holds after a reload (the name is looked up in this snapshot, the one it was judged by).
     */
    public Site site(String name) {
        Site site = sites.site(name);
        return site == null ? sites.unnamed() : site;
    }

    /** A gate with every configured token in force. */
    public GateSettings(GatePolicy policy, String tokenHeader, String realm, int denyStatus,
                        boolean hasBasicUsers, ThrottleSettings throttle, boolean contentGuard) {
        this(policy, tokenHeader, realm, denyStatus, hasBasicUsers, throttle, contentGuard, List.of());
    }

    /**
     * Leaves out the policy: it holds the tokens and hashes, and this record ends up in logs via
     * {@link Settings#toString()} however carefully the policy's own toString is written.
     */
    @Override
    public String toString() {
        return "GateSettings[policy=<not shown>, tokenHeader=" + tokenHeader + ", realm=" + realm
                + ", denyStatus=" + denyStatus + ", hasBasicUsers=" + hasBasicUsers + ", throttle=" + throttle
                + ", contentGuard=" + contentGuard + ", revokedTokens=" + revokedTokens + ", sites=" + sites + "]";
    }
}
