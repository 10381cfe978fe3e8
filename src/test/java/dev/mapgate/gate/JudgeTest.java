package dev.mapgate.gate;

import static dev.mapgate.gate.CredentialsTest.ALICE_HASH;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order in which the gate decides a request's fate, without a channel. */
class JudgeTest {

    private static final String TOKEN = "judge-test-token-0123456789";
    private static final ThrottleSettings THROTTLE =
            new ThrottleSettings(true, 3, Duration.ofMinutes(1), Duration.ofMinutes(5), 1000);
    private static final ThrottleSettings NO_THROTTLE =
            new ThrottleSettings(false, 3, Duration.ofMinutes(1), Duration.ofMinutes(5), 1000);
    private static final ClientAddress GUESSER = ClientAddress.untrustedPeer(address("198.51.100.7"));
    private static final ClientAddress SENTRY = ClientAddress.untrustedPeer(address("35.184.238.160"));

    private final GatePolicy policy = new GatePolicy(PathGlobs.compile(List.of("**/*.map")),
            EnumSet.of(Check.CREDENTIAL), CidrSet.parse(List.of("35.184.238.160/32")),
            new Credentials(List.of(new Token("sentry", TOKEN)), List.of(new BasicUser("alice", ALICE_HASH))));
    private final Judge judge = new Judge(new GuessLimiter(new FailureThrottle(64)));

    @Test
    void theRightTokenOpensAMapAndAnAssetNeedsNone() {
        assertThat(decided(judge.first(policy, THROTTLE, "/app.js.map", GUESSER, token(TOKEN))).allowed()).isTrue();
        assertThat(decided(judge.first(policy, THROTTLE, "/app.js", GUESSER, Presented.NOTHING)))
                .isEqualTo(Decision.pass());
    }

    @Test
    void twoTokenHeadersCountAsABadCredentialEvenIfOneIsRight() {
        Presented twice = Presented.of(TOKEN, true, null, false);

        Decision decision = decided(judge.first(policy, THROTTLE, "/app.js.map", GUESSER, twice));

        assertThat(decision.allowed()).as("a server in front may have read the other one").isFalse();
        assertThat(decision.reason()).as("the client sent something, so it was not missing")
                .isEqualTo(DenyReason.BAD_CREDENTIAL);
    }

    @Test
    void wrongTokensStartACoolDownThatRefusesGuessesButNotTheRightToken() {
        for (int i = 0; i < 2; i++) {
            Judge.Decided guess = (Judge.Decided) judge.first(policy, THROTTLE, "/app.js.map", GUESSER, token("wrong-" + i));
            assertThat(guess.coolDownStarted()).isFalse();
        }
        Judge.Decided third = (Judge.Decided) judge.first(policy, THROTTLE, "/app.js.map", GUESSER, token("wrong-2"));
        assertThat(third.coolDownStarted()).as("the third of max-failures = 3").isTrue();

        assertThat(judge.first(policy, THROTTLE, "/app.js.map", GUESSER, token("wrong-3")))
                .isInstanceOf(Judge.Throttled.class)
                .extracting(step -> ((Judge.Throttled) step).retryAfterSeconds()).isEqualTo(300L);
        assertThat(decided(judge.first(policy, THROTTLE, "/app.js.map", GUESSER, token(TOKEN))).allowed())
                .as("a valid token is never held back by guesses from its address").isTrue();
        assertThat(decided(judge.first(policy, THROTTLE, "/app.js", GUESSER, token("wrong-4"))))
                .as("assets are never throttled").isEqualTo(Decision.pass());
    }

    @Test
    void aMissingCredentialIsNoGuess() {
        for (int i = 0; i < 5; i++) {
            Judge.Decided denied = (Judge.Decided) judge.first(policy, THROTTLE, "/app.js.map", GUESSER, Presented.NOTHING);
            assertThat(denied.decision().reason()).isEqualTo(DenyReason.NO_CREDENTIAL);
            assertThat(denied.coolDownStarted()).isFalse();
        }
        assertThat(judge.first(policy, THROTTLE, "/app.js.map", GUESSER, token("wrong")))
                .as("someone opening a map is not guessing").isInstanceOf(Judge.Decided.class);
    }

    @Test
    void anAllowedAddressAndADisabledThrottleAreNeverCooledDown() {
        for (int i = 0; i < 5; i++) {
            judge.first(policy, THROTTLE, "/app.js.map", SENTRY, token("old-" + i));
            judge.first(policy, NO_THROTTLE, "/app.js.map", GUESSER, token("old-" + i));
        }

        assertThat(judge.first(policy, THROTTLE, "/app.js.map", SENTRY, token("old-5")))
                .as("Sentry's own address, in allow-ips").isInstanceOf(Judge.Decided.class);
        assertThat(judge.first(policy, NO_THROTTLE, "/app.js.map", GUESSER, token("old-5")))
                .isInstanceOf(Judge.Decided.class);
    }

    @Test
    void anUnverifiedPasswordOnAGatedPathGoesOffTheLoopAndOnAnAssetDoesNot() {
        Presented alice = new Presented(null, basic("alice:alice-pw"), false);

        assertThat(judge.first(policy, THROTTLE, "/app.js.map", GUESSER, alice))
                .isEqualTo(new Judge.CheckSlowly(true));
        assertThat(judge.first(policy, THROTTLE, "/app.js.map", SENTRY, alice))
                .as("no admission needed where guessing is not limited").isEqualTo(new Judge.CheckSlowly(false));
        assertThat(decided(judge.first(policy, THROTTLE, "/app.js", GUESSER, alice)))
                .as("bcrypt never runs for an asset").isEqualTo(Decision.pass());
    }

    private static Decision decided(Judge.Step step) {
        assertThat(step).isInstanceOf(Judge.Decided.class);
        return ((Judge.Decided) step).decision();
    }

    private static Presented token(String value) {
        return Presented.of(value, false, null, false);
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void wrongTokensCoolTheGuesserDownInTheSiteTheyWereSentToOnly() {
        GatePolicy blog = sitePolicy("blog");
        GatePolicy shop = sitePolicy("shop");
        for (int i = 0; i < 3; i++) {
            judge.first(blog, THROTTLE, "/blog/app.js.map", GUESSER, token("wrong-" + i));
        }

        assertThat(judge.first(blog, THROTTLE, "/blog/app.js.map", GUESSER, token("wrong-3")))
                .isInstanceOf(Judge.Throttled.class);
        Decision inShop = decided(judge.first(shop, THROTTLE, "/shop/app.js.map", GUESSER, token("wrong-3")));
        assertThat(inShop).as("another site's credentials are checked as usual")
                .isEqualTo(Decision.deny(DenyReason.BAD_CREDENTIAL, null, "shop"));
        assertThat(decided(judge.first(policy, THROTTLE, "/app.js.map", GUESSER, token("wrong-3"))).reason())
                .as("and so are the gate's own").isEqualTo(DenyReason.BAD_CREDENTIAL);
    }

    @Test
    void wrongTokensAtTheGatesOwnSettingsDoNotCoolASiteDown() {
        for (int i = 0; i < 3; i++) {
            judge.first(policy, THROTTLE, "/app.js.map", GUESSER, token("wrong-" + i));
        }

        assertThat(judge.first(policy, THROTTLE, "/app.js.map", GUESSER, token("wrong-3")))
                .isInstanceOf(Judge.Throttled.class);
        assertThat(judge.first(sitePolicy("blog"), THROTTLE, "/app.js.map", GUESSER, token("wrong-3")))
                .isInstanceOf(Judge.Decided.class);
    }

    @Test
    void anAmbiguousCredentialIsDeniedInTheSiteThatJudgedIt() {
        Presented twice = Presented.of(null, false, "Bearer a", true);

        assertThat(Judge.decide(sitePolicy("blog"), "/app.js.map", GUESSER, twice))
                .isEqualTo(Decision.deny(DenyReason.BAD_CREDENTIAL, null, "blog"));
    }

    /** The same checks and credentials as {@link #policy}, judging for {@code site}. */
    private static GatePolicy sitePolicy(String site) {
        return new GatePolicy(site, PathGlobs.compile(List.of("**/*.map")), EnumSet.of(Check.CREDENTIAL),
                CidrSet.parse(List.of("35.184.238.160/32")),
                new Credentials(List.of(new Token("sentry", TOKEN)), List.of(new BasicUser("alice", ALICE_HASH))));
    }
}
