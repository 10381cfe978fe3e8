package dev.mapgate.gate;

import at.favre.lib.crypto.bcrypt.BCrypt;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.mapgate.gate.CredentialsTest.ALICE_HASH;
import static dev.mapgate.gate.CredentialsTest.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatePolicyTest {

    private static final PathGlobs MAPS = PathGlobs.compile(List.of("**/*.map"));
    private static final CidrSet SENTRY_IPS = CidrSet.parse(List.of("35.184.238.160/32", "104.155.159.182/32"));
    private static final InetAddress SENTRY = ip("35.184.238.160");
    private static final InetAddress STRANGER = ip("198.51.100.9");
    private static final Set<Check> BOTH = EnumSet.of(Check.IP, Check.CREDENTIAL);

    private final Credentials credentials = new Credentials(List.of(new Token("sentry", "tok-1")),
            List.of(new BasicUser("alice", ALICE_HASH)));

    /** As {@link #credentials}, with a hash at a cost check-config does not warn about. */
    private static final Credentials SOUND_CREDENTIALS = new Credentials(List.of(new Token("sentry", "tok-1")),
            List.of(new BasicUser("alice", BCrypt.withDefaults().hashToString(10, "alice-pw".toCharArray()))));

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private GatePolicy policy(Set<Check> require) {
        return new GatePolicy(MAPS, require, SENTRY_IPS, credentials);
    }

    @Test
    void requireMustNameAtLeastOneCheck() {
        assertThatThrownBy(() -> policy(Set.of()))
                .isInstanceOfSatisfying(InvalidEntry.class,
                        e -> assertThat(e.field()).isEqualTo(InvalidEntry.Field.CHECKS))
                .hasMessage("a gate must require at least one check");
    }

    @Test
    void onlyMatchingPathsAreGated() {
        GatePolicy policy = policy(BOTH);

        assertThat(policy.route("/static/app.js.map")).isEqualTo(Route.GATED);
        assertThat(policy.route("/static/app.js")).isEqualTo(Route.PASS);
    }

    @Test
    void anUnreadableClientAddressDeniesAGatedRequestWhateverTheChecks() {
        ClientAddress unknown = ClientAddress.unknown("X-Forwarded-For entry 1 from the right is not an IP address");

        assertThat(policy(BOTH).decide("/app.js.map", unknown, "tok-1", null))
                .isEqualTo(Decision.deny(DenyReason.CLIENT_ADDRESS, null));
        assertThat(policy(EnumSet.of(Check.CREDENTIAL)).decide("/app.js.map", unknown, "tok-1", null))
                .as("fail closed even where the address would not have been checked")
                .isEqualTo(Decision.deny(DenyReason.CLIENT_ADDRESS, null));
        assertThat(policy(BOTH).decide("/app.js", unknown, null, null))
                .as("an asset is public whoever asks").isEqualTo(Decision.pass());
    }

    @Test
    void aReportedClientAddressIsJudgedLikeAPeerAddress() {
        assertThat(policy(BOTH).decide("/app.js.map", ClientAddress.behindTrustedProxy(SENTRY), "tok-1", null))
                .isEqualTo(Decision.allow("sentry"));
        assertThat(policy(BOTH).decide("/app.js.map", ClientAddress.behindTrustedProxy(STRANGER), "tok-1", null))
                .isEqualTo(Decision.deny(DenyReason.IP, "sentry"));
    }

    @Test
    void aMissingOrWrongCredentialFromAnAllowedAddressIsTokenDrift() {
        GatePolicy both = policy(BOTH);
        GatePolicy credentialOnly = policy(EnumSet.of(Check.CREDENTIAL));
        ClientAddress sentry = ClientAddress.untrustedPeer(SENTRY);
        ClientAddress stranger = ClientAddress.untrustedPeer(STRANGER);

        assertThat(both.isCredentialDrift(both.decide("/app.js.map", sentry, "old-token", null), sentry))
                .as("Sentry's address, a token that no longer matches").isTrue();
        assertThat(both.isCredentialDrift(both.decide("/app.js.map", sentry, null, null), sentry)).isTrue();
        assertThat(credentialOnly.isCredentialDrift(credentialOnly.decide("/app.js.map", sentry, "old", null), sentry))
                .as("the allow list still says who Sentry is, even when it is not required").isTrue();
        assertThat(both.isCredentialDrift(both.decide("/app.js.map", stranger, "old-token", null), stranger))
                .as("a stranger guessing is not drift").isFalse();
        assertThat(credentialOnly.isCredentialDrift(credentialOnly.decide("/app.js.map", stranger, "x", null), stranger))
                .isFalse();
        assertThat(both.isCredentialDrift(both.decide("/app.js.map", sentry, "tok-1", null), sentry)).isFalse();
        assertThat(both.isCredentialDrift(Decision.pass(), sentry)).isFalse();
    }

    @Test
    void failuresCountAgainstStrangersButNeverAgainstSentrysSharedAddressesOrAnUnknownClient() {
        GatePolicy credentialOnly = policy(EnumSet.of(Check.CREDENTIAL));

        assertThat(credentialOnly.mayThrottle(STRANGER)).isTrue();
        assertThat(credentialOnly.mayThrottle(SENTRY))
                .as("every Sentry customer's fetches come from there; one of them must not lock out the rest")
                .isFalse();
        assertThat(policy(BOTH).mayThrottle(SENTRY)).isFalse();
        assertThat(credentialOnly.mayThrottle(null)).as("denied anyway, and all unknowns would share one entry")
                .isFalse();
    }

    @Test
    void anUngatedPathPassesWithoutAnyCheck() {
        assertThat(policy(BOTH).decide("/static/app.js", STRANGER, null, null)).isEqualTo(Decision.pass());
    }

    @Test
    void sentryWithAValidTokenIsAllowedAndNamed() {
        assertThat(policy(BOTH).decide("/app.js.map", SENTRY, "tok-1", null)).isEqualTo(Decision.allow("sentry"));
    }

    @Test
    void sentryWithValidBasicIsAllowedAndNamed() {
        assertThat(policy(BOTH).decide("/app.js.map", SENTRY, null, basic("alice:alice-pw")))
                .isEqualTo(Decision.allow("alice"));
    }

    @Test
    void aValidTokenFromADisallowedAddressIsDeniedForIpButNamed() {
        Decision decision = policy(BOTH).decide("/app.js.map", STRANGER, "tok-1", null);

        assertThat(decision).isEqualTo(Decision.deny(DenyReason.IP, "sentry"));
    }

    @Test
    void anIpDeniedRequestNeverRunsBcrypt() {
        Credentials fresh = new Credentials(List.of(), List.of(new BasicUser("alice", ALICE_HASH)));
        GatePolicy policy = new GatePolicy(MAPS, BOTH, SENTRY_IPS, fresh);

        Decision decision = policy.decide("/app.js.map", STRANGER, null, basic("alice:alice-pw"));

        assertThat(decision).isEqualTo(Decision.deny(DenyReason.IP, null));
        assertThat(fresh.isSlow(null, basic("alice:alice-pw")))
                .as("bcrypt ran, or its success would now be cached")
                .isTrue();
    }

    @Test
    void anIpDeniedRequestNamesAnAlreadyVerifiedBasicUser() {
        GatePolicy policy = policy(BOTH);
        policy.decide("/app.js.map", SENTRY, null, basic("alice:alice-pw"));

        assertThat(policy.decide("/app.js.map", STRANGER, null, basic("alice:alice-pw")))
                .isEqualTo(Decision.deny(DenyReason.IP, "alice"));
    }

    @Test
    void anIpDeniedRequestWithAWrongTokenIsNotNamed() {
        assertThat(policy(BOTH).decide("/app.js.map", STRANGER, "wrong", null)).isEqualTo(Decision.deny(DenyReason.IP, null));
    }

    @Test
    void aNullClientAddressIsDeniedForIpRatherThanFailing() {
        assertThat(policy(BOTH).decide("/app.js.map", (InetAddress) null, "tok-1", null)).isEqualTo(Decision.deny(DenyReason.IP, "sentry"));
    }

    @Test
    void noCredentialFromAnAllowedAddressIsDenied() {
        assertThat(policy(BOTH).decide("/app.js.map", SENTRY, null, null))
                .isEqualTo(Decision.deny(DenyReason.NO_CREDENTIAL, null));
    }

    @Test
    void aBadCredentialFromAnAllowedAddressIsDenied() {
        assertThat(policy(BOTH).decide("/app.js.map", SENTRY, "wrong", null))
                .isEqualTo(Decision.deny(DenyReason.BAD_CREDENTIAL, null));
        assertThat(policy(BOTH).decide("/app.js.map", SENTRY, null, basic("alice:wrong")))
                .isEqualTo(Decision.deny(DenyReason.BAD_CREDENTIAL, null));
    }

    @Test
    void credentialOnlyIgnoresTheAddress() {
        GatePolicy policy = policy(EnumSet.of(Check.CREDENTIAL));

        assertThat(policy.decide("/app.js.map", STRANGER, "tok-1", null)).isEqualTo(Decision.allow("sentry"));
        assertThat(policy.decide("/app.js.map", (InetAddress) null, "tok-1", null)).isEqualTo(Decision.allow("sentry"));
        assertThat(policy.decide("/app.js.map", SENTRY, null, null)).isEqualTo(Decision.deny(DenyReason.NO_CREDENTIAL, null));
    }

    @Test
    void ipOnlyAllowsAnAllowedAddressWithoutCredentials() {
        GatePolicy policy = policy(EnumSet.of(Check.IP));

        assertThat(policy.decide("/app.js.map", SENTRY, null, null)).isEqualTo(Decision.allow(null));
        assertThat(policy.decide("/app.js.map", SENTRY, "wrong", null))
                .as("a credential is not required, so a wrong one does not deny")
                .isEqualTo(Decision.allow(null));
        assertThat(policy.decide("/app.js.map", STRANGER, null, null)).isEqualTo(Decision.deny(DenyReason.IP, null));
    }

    @Test
    void ipOnlyNamesATokenButNeverRunsBcrypt() {
        Credentials fresh = new Credentials(List.of(new Token("sentry", "tok-1")), List.of(new BasicUser("alice", ALICE_HASH)));
        GatePolicy policy = new GatePolicy(MAPS, EnumSet.of(Check.IP), SENTRY_IPS, fresh);

        assertThat(policy.decide("/app.js.map", SENTRY, "tok-1", null)).isEqualTo(Decision.allow("sentry"));
        assertThat(policy.decide("/app.js.map", SENTRY, null, basic("alice:alice-pw"))).isEqualTo(Decision.allow(null));
        assertThat(policy.isSlow(null, basic("alice:alice-pw"))).as("credential is not required").isFalse();
        assertThat(fresh.isSlow(null, basic("alice:alice-pw"))).as("bcrypt did not run").isTrue();
    }

    @Test
    void isSlowFollowsTheCredentialsWhenACredentialIsRequired() {
        GatePolicy policy = policy(BOTH);

        assertThat(policy.isSlow(null, basic("alice:alice-pw"))).isTrue();
        assertThat(policy.isSlow("tok-1", null)).isFalse();
        assertThat(policy.isSlow(null, null)).isFalse();
    }

    @Test
    void anErrorWhileDecidingDeniesTheRequest() {
        assertThat(policy(BOTH).decide(null, SENTRY, "tok-1", null))
                .as("fail closed: a request the gate cannot classify is refused, not served")
                .isEqualTo(Decision.deny(DenyReason.ERROR, null));
    }

    @Test
    void aSoundGateHasNoWarnings() {
        assertThat(new GatePolicy(MAPS, BOTH, SENTRY_IPS, SOUND_CREDENTIALS).warnings()).isEmpty();
    }

    @Test
    void requiringIpWithAnEmptyAllowListWarns() {
        GatePolicy policy = new GatePolicy(MAPS, BOTH, CidrSet.parse(List.of()), SOUND_CREDENTIALS);

        assertThat(policy.warnings()).extracting(GateWarning::kind)
                .containsExactly(GateWarning.Kind.IP_REQUIRED_NONE_ALLOWED);
    }

    @Test
    void requiringACredentialWithNoneConfiguredWarns() {
        GatePolicy policy = new GatePolicy(MAPS, BOTH, SENTRY_IPS, new Credentials(List.of(), List.of()));

        assertThat(policy.warnings()).extracting(GateWarning::kind)
                .containsExactly(GateWarning.Kind.CREDENTIAL_REQUIRED_NONE_CONFIGURED);
    }

    @Test
    void unusedChecksDoNotWarn() {
        GatePolicy policy = new GatePolicy(MAPS, EnumSet.of(Check.CREDENTIAL), CidrSet.parse(List.of()),
                SOUND_CREDENTIALS);

        assertThat(policy.warnings()).isEmpty();
    }

    @Test
    void anEmptyPathListWarnsThatNothingIsGated() {
        GatePolicy policy = new GatePolicy(PathGlobs.compile(List.of()), BOTH, SENTRY_IPS, SOUND_CREDENTIALS);

        assertThat(policy.warnings()).extracting(GateWarning::kind).containsExactly(GateWarning.Kind.NOTHING_GATED);
    }

    @Test
    void cheapOrMixedBcryptCostsWarnByUserName() {
        String cheap = BCrypt.withDefaults().hashToString(5, "carol-pw".toCharArray());
        Credentials mixed = new Credentials(List.of(), List.of(new BasicUser("carol", cheap),
                new BasicUser("alice", BCrypt.withDefaults().hashToString(10, "alice-pw".toCharArray()))));

        List<String> warnings = new GatePolicy(MAPS, BOTH, SENTRY_IPS, mixed).warnings().stream()
                .map(GateWarning::subject).toList();

        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).startsWith("Basic users with a bcrypt cost below 10: carol (cost 5)")
                .contains("mapgate hash-password").doesNotContain("alice");
        assertThat(warnings.get(1)).startsWith("Basic users' bcrypt costs differ (cost 5: carol; cost 10: alice)");
        assertThat(String.join("\n", warnings)).as("no hash in a warning").doesNotContain(cheap.substring(7));
    }

    @Test
    void toStringShowsNoSecret() {
        String hash = BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
        GatePolicy policy = new GatePolicy(MAPS, BOTH, SENTRY_IPS,
                new Credentials(List.of(new Token("sentry", "tok-secret")), List.of(new BasicUser("u", hash))));

        assertThat(policy.toString()).doesNotContain("tok-secret").doesNotContain(hash);
    }

    @Test
    void everyDecisionOfASitesPolicyCarriesTheSite() {
        GatePolicy shop = new GatePolicy("shop", MAPS, BOTH, SENTRY_IPS, credentials);
        GatePolicy ipOnly = new GatePolicy("shop", MAPS, EnumSet.of(Check.IP), SENTRY_IPS, credentials);
        ClientAddress unknown = ClientAddress.unknown("X-Forwarded-For entry 1 from the right is not an IP address");

        assertThat(shop.site()).isEqualTo("shop");
        assertThat(List.of(
                shop.decide("/static/app.js", STRANGER, null, null),
                shop.decide("/app.js.map", SENTRY, "tok-1", null),
                ipOnly.decide("/app.js.map", SENTRY, null, null),
                shop.decide("/app.js.map", STRANGER, "tok-1", null),
                shop.decide("/app.js.map", SENTRY, null, null),
                shop.decide("/app.js.map", SENTRY, "wrong", null),
                shop.decide("/app.js.map", unknown, "tok-1", null),
                shop.decide(null, SENTRY, "tok-1", null),
                shop.deny(DenyReason.THROTTLED)))
                .as("logs, metrics and the deny status must name the site that judged")
                .containsExactly(
                        Decision.pass("shop"),
                        Decision.allow("sentry", "shop"),
                        Decision.allow(null, "shop"),
                        Decision.deny(DenyReason.IP, "sentry", "shop"),
                        Decision.deny(DenyReason.NO_CREDENTIAL, null, "shop"),
                        Decision.deny(DenyReason.BAD_CREDENTIAL, null, "shop"),
                        Decision.deny(DenyReason.CLIENT_ADDRESS, null, "shop"),
                        Decision.deny(DenyReason.ERROR, null, "shop"),
                        Decision.deny(DenyReason.THROTTLED, null, "shop"))
                .allSatisfy(decision -> assertThat(decision.site()).isEqualTo("shop"));
        assertThat(Decision.pass("shop").route()).isEqualTo(Route.PASS);
    }

    @Test
    void theGatesOwnPolicyJudgesWithoutASiteAsBefore() {
        GatePolicy own = policy(BOTH);

        assertThat(own.site()).isNull();
        assertThat(own.decide("/static/app.js", STRANGER, null, null)).isSameAs(Decision.pass());
        assertThat(Decision.pass(null)).isSameAs(Decision.pass());
        assertThat(own.decide("/app.js.map", SENTRY, "tok-1", null).site()).isNull();
        assertThat(own.deny(DenyReason.THROTTLED)).isEqualTo(Decision.deny(DenyReason.THROTTLED, null));
    }

    @Test
    void aSitesPolicyLeavesTheGateWidePathWarningsToTheGatesOwnAndNamesItselfInItsOwn() {
        PathGlobs topOnly = PathGlobs.compile(List.of("*.map"));
        Credentials none = new Credentials(List.of(), List.of());

        assertThat(new GatePolicy("shop", topOnly, BOTH, CidrSet.parse(List.of()), none).warnings())
                .extracting(GateWarning::kind, GateWarning::site)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(GateWarning.Kind.IP_REQUIRED_NONE_ALLOWED, "shop"),
                        org.assertj.core.groups.Tuple.tuple(GateWarning.Kind.CREDENTIAL_REQUIRED_NONE_CONFIGURED, "shop"));
        assertThat(new GatePolicy("shop", PathGlobs.compile(List.of()), BOTH, SENTRY_IPS, SOUND_CREDENTIALS).warnings())
                .isEmpty();
        assertThat(new GatePolicy(topOnly, BOTH, SENTRY_IPS, SOUND_CREDENTIALS).warnings())
                .extracting(GateWarning::kind, GateWarning::site)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(GateWarning.Kind.TOP_FOLDER_GLOB, null));
    }
}
