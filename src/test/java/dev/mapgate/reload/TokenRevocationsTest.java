package dev.mapgate.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RevokedToken;
import dev.mapgate.gate.ThrottleSettings;
import dev.mapgate.gate.Check;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.Token;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenRevocationsTest {

    private static final RevokedToken SENTRY_DELETED = revoked("sentry", 0, RevokedToken.Cause.DELETED);
    private static final RevokedToken SENTRY_EMPTY = revoked("sentry", 0, RevokedToken.Cause.EMPTY);
    private static final RevokedToken BACKUP_DELETED = revoked("backup", 1, RevokedToken.Cause.DELETED);

    @Test
    void aTokenThatGoesFromInForceToRevokedIsNewsOnce() {
        GateSettings running = gate(List.of("sentry", "backup"));
        GateSettings next = gate(List.of("backup"), SENTRY_DELETED);

        assertThat(TokenRevocations.between(running, next))
                .isEqualTo(new TokenRevocations(List.of(SENTRY_DELETED), List.of()));
        assertThat(TokenRevocations.between(next, gate(List.of("backup"), SENTRY_DELETED)))
                .as("the next reload, with the file still gone, says nothing")
                .isEqualTo(new TokenRevocations(List.of(), List.of()));
    }

    @Test
    void aRevokedTokenThatIsEmptiedInsteadOfDeletedIsNoNewRevocation() {
        assertThat(TokenRevocations.between(gate(List.of("backup"), SENTRY_DELETED), gate(List.of("backup"), SENTRY_EMPTY)))
                .isEqualTo(new TokenRevocations(List.of(), List.of()));
    }

    @Test
    void aRevokedTokenInForceAgainIsRestoredAsItWasRevoked() {
        assertThat(TokenRevocations.between(gate(List.of("backup"), SENTRY_DELETED), gate(List.of("sentry", "backup"))))
                .isEqualTo(new TokenRevocations(List.of(), List.of(SENTRY_DELETED)));
    }

    @Test
    void aRevokedTokenDroppedFromTheConfigIsNeitherRevokedNorRestored() {
        assertThat(TokenRevocations.between(gate(List.of("backup"), SENTRY_DELETED), gate(List.of("backup"))))
                .isEqualTo(new TokenRevocations(List.of(), List.of()));
    }

    @Test
    void oneTokenComesBackWhileAnotherGoes() {
        assertThat(TokenRevocations.between(gate(List.of("backup"), SENTRY_DELETED), gate(List.of("sentry"), BACKUP_DELETED)))
                .isEqualTo(new TokenRevocations(List.of(BACKUP_DELETED), List.of(SENTRY_DELETED)));
    }

    @Test
    void atStartupEveryRevokedTokenIsNews() {
        assertThat(TokenRevocations.atStartup(gate(List.of(), SENTRY_DELETED, BACKUP_DELETED)).revoked())
                .containsExactly(SENTRY_DELETED, BACKUP_DELETED);
        assertThat(TokenRevocations.atStartup(gate(List.of("sentry"))).revoked()).isEmpty();
    }

    private static RevokedToken revoked(String name, int index, RevokedToken.Cause cause) {
        return new RevokedToken(name, "mapgate.gate.token.tokens[" + index + "]", Path.of("/run/secrets/" + name), cause);
    }

    private static GateSettings gate(List<String> inForce, RevokedToken... revoked) {
        List<Token> tokens = inForce.stream().map(name -> new Token(name, name + "-value")).toList();
        GatePolicy policy = new GatePolicy(PathGlobs.compile(List.of("**/*.map")), Set.of(Check.CREDENTIAL),
                CidrSet.parse(List.of()), new Credentials(tokens, List.of()));
        ThrottleSettings throttle = new ThrottleSettings(true, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), 16);
        return new GateSettings(policy, "X-Sentry-Token", "mapgate", 404, false, throttle, true, Arrays.asList(revoked));
    }
}
