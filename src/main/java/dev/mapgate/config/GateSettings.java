package dev.mapgate.config;

import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.ThrottleSettings;
import java.util.List;

/**
 * The gate ({@code mapgate.gate}), already compiled into a {@link GatePolicy}.
 *
 * @param tokenHeader    the header Sentry sends its security token in
 * @param realm          Basic realm for {@code WWW-Authenticate} on a 401
 * @param denyStatus     404, 401 or 403
 * @param hasBasicUsers  whether any Basic user is configured (a 401 then offers Basic)
 * @param throttle       brute-force throttling of failed credentials
 * @param contentGuard   whether responses on ungated paths are checked for a source map's content
 * @param revokedTokens  configured tokens left out of the policy because their file was deleted or
 *                       emptied, in config order; a reload compares them with the running ones
 */
public record GateSettings(GatePolicy policy, String tokenHeader, String realm, int denyStatus,
                           boolean hasBasicUsers, ThrottleSettings throttle, boolean contentGuard,
                           List<RevokedToken> revokedTokens) {

    public GateSettings {
        revokedTokens = List.copyOf(revokedTokens);
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
                + ", contentGuard=" + contentGuard + ", revokedTokens=" + revokedTokens + "]";
    }
}
