package dev.mapgate.reload;

import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RevokedToken;
import dev.mapgate.gate.Site;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a new snapshot changes about revoked tokens, compared with the one in force: tokens it
 * revokes that were in force, and revoked tokens it brings back. Only these are logged, so one
 * revocation is one WARN line however many reloads follow. Tokens are matched by site and name:
 * the name is what an operator calls a token by, and it is unique within one site only, so a
 * token revoked in one site is not brought back by a token of the same name in another.
 *
 * @param revoked  newly revoked, in config order
 * @param restored revoked before and in force again in the same site, as they were revoked (their
 *                 file and cause)
 */
public record TokenRevocations(List<RevokedToken> revoked, List<RevokedToken> restored) {

    /** A token as the operator knows it; {@code site} is {@code null} for the gate's own. */
    private record Named(String site, String name) {
        static Named of(RevokedToken token) {
            return new Named(token.site(), token.name());
        }
    }

    public TokenRevocations {
        revoked = List.copyOf(revoked);
        restored = List.copyOf(restored);
    }

    /** At startup every revoked token is news. */
    public static TokenRevocations atStartup(GateSettings initial) {
        return new TokenRevocations(initial.revokedTokens(), List.of());
    }

    public static TokenRevocations between(GateSettings running, GateSettings next) {
        Set<Named> wereRevoked = new HashSet<>();
        running.revokedTokens().forEach(token -> wereRevoked.add(Named.of(token)));
        List<RevokedToken> revoked = next.revokedTokens().stream()
                .filter(token -> !wereRevoked.contains(Named.of(token)))
                .toList();
        // A revoked token that was dropped from the config is not "restored": it is simply gone.
        Set<Named> inForce = new HashSet<>();
        for (Site site : next.sites().all()) {
            site.policy().credentials().tokenNames().forEach(name -> inForce.add(new Named(site.name(), name)));
        }
        List<RevokedToken> restored = running.revokedTokens().stream()
                .filter(token -> inForce.contains(Named.of(token)))
                .toList();
        return new TokenRevocations(revoked, restored);
    }
}
