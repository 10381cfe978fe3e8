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
import dev.mapgate.gate.Site;
import dev.mapgate.gate.SiteScope;
import dev.mapgate.gate.Sites;
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
    private static final ThrottleSettings THROTTLE =
            new ThrottleSettings(true, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), 16);

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

    // ---- sites: a token is its site and its name ------------------------------------------------

    private static final RevokedToken SHOP_BACKUP = new RevokedToken("shop", "backup",
            "mapgate.gate.sites[0].token.tokens[0]", Path.of("/run/secrets/shop-backup"), RevokedToken.Cause.DELETED);
    private static final RevokedToken BLOG_BACKUP = new RevokedToken("blog", "backup",
            "mapgate.gate.sites[1].token.tokens[0]", Path.of("/run/secrets/blog-backup"), RevokedToken.Cause.DELETED);

    @Test
    void aTokenRevokedInOneSiteIsNotRestoredByATokenOfTheSameNameInAnother() {
        assertThat(TokenRevocations.between(sites(List.of(), List.of("backup"), SHOP_BACKUP),
                sites(List.of(), List.of("backup"))))
                .as("shop's backup was dropped from the config; blog's backup never opened shop's maps")
                .isEqualTo(new TokenRevocations(List.of(), List.of()));
        assertThat(TokenRevocations.between(sites(List.of(), List.of("backup"), SHOP_BACKUP),
                sites(List.of("backup"), List.of("backup"))))
                .as("in force again in its own site").isEqualTo(new TokenRevocations(List.of(), List.of(SHOP_BACKUP)));
    }

    @Test
    void aTokenRevokedInASiteIsNewsWhenOneOfTheSameNameIsAlreadyRevokedElsewhere() {
        assertThat(TokenRevocations.between(sites(List.of(), List.of("backup"), SHOP_BACKUP),
                sites(List.of(), List.of(), SHOP_BACKUP, BLOG_BACKUP)))
                .isEqualTo(new TokenRevocations(List.of(BLOG_BACKUP), List.of()));
    }

    @Test
    void theGatesOwnTokenIsNotRestoredByASitesTokenOfTheSameName() {
        assertThat(TokenRevocations.between(sites(List.of(), List.of(), SENTRY_DELETED),
                sites(List.of("sentry"), List.of())))
                .isEqualTo(new TokenRevocations(List.of(), List.of()));
    }

    private static RevokedToken revoked(String name, int index, RevokedToken.Cause cause) {
        return new RevokedToken(name, "mapgate.gate.token.tokens[" + index + "]", Path.of("/run/secrets/" + name), cause);
    }

    private static GateSettings gate(List<String> inForce, RevokedToken... revoked) {
        return new GateSettings(policy(null, inForce), "X-Sentry-Token", "mapgate", 404, false, THROTTLE, true,
                Arrays.asList(revoked));
    }

    /** The gate's own settings without tokens, and the sites shop and blog with the tokens named in force. */
    private static GateSettings sites(List<String> shop, List<String> blog, RevokedToken... revoked) {
        GatePolicy own = policy(null, List.of());
        Sites sites = new Sites(Site.unnamed(own, 404), List.of(
                new Site("shop", SiteScope.of(List.of("shop.example.com"), List.of()), policy("shop", shop), 404),
                new Site("blog", SiteScope.of(List.of("blog.example.com"), List.of()), policy("blog", blog), 404)));
        return new GateSettings(own, "X-Sentry-Token", "mapgate", 404, false, THROTTLE, true, Arrays.asList(revoked),
                sites);
    }

    private static GatePolicy policy(String site, List<String> inForce) {
        List<Token> tokens = inForce.stream().map(name -> new Token(name, site + "-" + name + "-value")).toList();
        return new GatePolicy(site, PathGlobs.compile(List.of("**/*.map")), Set.of(Check.CREDENTIAL),
                CidrSet.parse(List.of()), new Credentials(tokens, List.of()));
    }
}
