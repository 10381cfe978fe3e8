package dev.mapgate.reload;

import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RevokedToken;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a new snapshot changes about revoked tokens, compared with the one in force: tokens it
 * revokes that were in force, and revoked tokens it brings back. Only these are logged, so one
 * revocation is one WARN line however many reloads follow. Tokens are matched by name, the one
 * thing an operator calls them by.
 *
 * @param revoked  newly revoked, in config order
 * @param restored revoked before and in force again, as they were revoked (their file and cause)
 */
public record TokenRevocations(List<RevokedToken> revoked, List<RevokedToken> restored) {

    public TokenRevocations {
        revoked = List.copyOf(revoked);
        restored = List.copyOf(restored);
    }

    /** At startup every revoked token is news. */
    public static TokenRevocations atStartup(GateSettings initial) {
        return new TokenRevocations(initial.revokedTokens(), List.of());
    }

    public static TokenRevocations between(GateSettings running, GateSettings next) {
        Set<String> wereRevoked = names(running.revokedTokens());
        List<RevokedToken> revoked = next.revokedTokens().stream()
                .filter(token -> !wereRevoked.contains(token.name()))
                .toList();
        // A revoked token that was dropped from the config is not "restored": it is simply gone.
        Set<String> inForce = new HashSet<>(next.policy().credentials().tokenNames());
        List<RevokedToken> restored = running.revokedTokens().stream()
                .filter(token -> inForce.contains(token.name()))
                .toList();
        return new TokenRevocations(revoked, restored);
    }

    private static Set<String> names(List<RevokedToken> tokens) {
        Set<String> names = new HashSet<>();
        tokens.forEach(token -> names.add(token.name()));
        return names;
    }
}
