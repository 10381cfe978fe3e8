package dev.mapgate.gate;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CredentialsTest {

    static final String ALICE_HASH = BCrypt.withDefaults().hashToString(4, "alice-pw".toCharArray());
    static final String BOB_HASH = BCrypt.withDefaults().hashToString(4, "bob-pw".toCharArray());

    private static final Token CURRENT = new Token("current", "s3cret-current");
    private static final Token NEXT = new Token("next", "s3cret-next");

    private final Credentials tokensOnly = new Credentials(List.of(CURRENT, NEXT), List.of());
    private final Credentials both = new Credentials(List.of(CURRENT),
            List.of(new BasicUser("alice", ALICE_HASH), new BasicUser("bob", BOB_HASH)));

    static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eitherOfTwoRotatedTokensIsValidAndReportedByName() {
        assertThat(tokensOnly.check("s3cret-current", null)).isEqualTo(CredentialCheck.valid("current"));
        assertThat(tokensOnly.check("s3cret-next", null)).isEqualTo(CredentialCheck.valid("next"));
    }

    @Test
    void wrongTokenIsBad() {
        assertThat(tokensOnly.check("s3cret-curren", null)).isEqualTo(CredentialCheck.BAD);
        assertThat(tokensOnly.check("S3CRET-CURRENT", null)).as("tokens are case-sensitive").isEqualTo(CredentialCheck.BAD);
    }

    @Test
    void absentOrBlankCredentialsAreNone() {
        assertThat(both.check(null, null)).isEqualTo(CredentialCheck.NONE);
        assertThat(both.check("", "")).isEqualTo(CredentialCheck.NONE);
        assertThat(both.check("  ", " ")).isEqualTo(CredentialCheck.NONE);
    }

    @Test
    void basicUserWithTheRightPasswordIsValid() {
        assertThat(both.check(null, basic("alice:alice-pw"))).isEqualTo(CredentialCheck.valid("alice"));
        assertThat(both.check(null, basic("bob:bob-pw"))).isEqualTo(CredentialCheck.valid("bob"));
    }

    @Test
    void basicUserWithAWrongPasswordIsBad() {
        assertThat(both.check(null, basic("alice:bob-pw"))).isEqualTo(CredentialCheck.BAD);
        assertThat(both.check(null, basic("alice:"))).isEqualTo(CredentialCheck.BAD);
    }

    @Test
    void unknownBasicUserIsBad() {
        assertThat(both.check(null, basic("mallory:alice-pw"))).isEqualTo(CredentialCheck.BAD);
        assertThat(both.check(null, basic(":alice-pw"))).isEqualTo(CredentialCheck.BAD);
    }

    @Test
    void passwordIsSplitAtTheFirstColon() {
        String hash = BCrypt.withDefaults().hashToString(4, "a:b:c".toCharArray());
        Credentials credentials = new Credentials(List.of(), List.of(new BasicUser("carol", hash)));

        assertThat(credentials.check(null, basic("carol:a:b:c"))).isEqualTo(CredentialCheck.valid("carol"));
    }

    @Test
    void malformedBasicIsBad() {
        assertThat(both.check(null, "Basic !!!notbase64")).isEqualTo(CredentialCheck.BAD);
        assertThat(both.check(null, "Basic YWxpY2U")).as("unpadded base64").isEqualTo(CredentialCheck.BAD);
        assertThat(both.check(null, basic("alice-without-colon"))).isEqualTo(CredentialCheck.BAD);
        assertThat(both.check(null, "Basic")).isEqualTo(CredentialCheck.BAD);
        assertThat(both.check(null, "Basic " + basic("alice:alice-pw").substring(6) + " ")).isEqualTo(CredentialCheck.BAD);
        assertThat(both.check(null, "Bearer s3cret-current")).isEqualTo(CredentialCheck.BAD);
    }

    @Test
    void basicSchemeIsCaseInsensitive() {
        String encoded = basic("alice:alice-pw").substring("Basic ".length());

        assertThat(both.check(null, "basic " + encoded)).isEqualTo(CredentialCheck.valid("alice"));
        assertThat(both.check(null, "BASIC " + encoded)).isEqualTo(CredentialCheck.valid("alice"));
    }

    @Test
    void sentryBasicSentAsAuthorizationTokenHeaderIsValid() {
        // Sentry sends Basic by naming "Authorization" as its token header; the caller passes that value twice.
        String header = basic("alice:alice-pw");

        assertThat(both.check(header, header)).isEqualTo(CredentialCheck.valid("alice"));
    }

    @Test
    void tokenWinsOverAWrongBasicCredential() {
        assertThat(both.check("s3cret-current", basic("alice:wrong"))).isEqualTo(CredentialCheck.valid("current"));
    }

    @Test
    void basicWhenNoUsersAreConfiguredIsBadWithoutBcrypt() {
        assertThat(tokensOnly.check(null, basic("alice:alice-pw"))).isEqualTo(CredentialCheck.BAD);
        assertThat(tokensOnly.isSlow(null, basic("alice:alice-pw"))).isFalse();
    }

    @Test
    void onlyAnUncachedBasicCredentialIsSlow() {
        Credentials credentials = new Credentials(List.of(CURRENT), List.of(new BasicUser("alice", ALICE_HASH)));

        assertThat(credentials.isSlow("s3cret-current", basic("alice:alice-pw"))).as("token matches first").isFalse();
        assertThat(credentials.isSlow(null, null)).isFalse();
        assertThat(credentials.isSlow(null, "Basic !!!")).as("malformed is refused without bcrypt").isFalse();
        assertThat(credentials.isSlow(null, basic("alice:alice-pw"))).isTrue();
        assertThat(credentials.isSlow(null, basic("mallory:pw"))).as("unknown users cost a dummy bcrypt").isTrue();
    }

    @Test
    void aSuccessfulBasicVerificationIsCachedSoTheNextIsNotSlow() {
        Credentials credentials = new Credentials(List.of(), List.of(new BasicUser("alice", ALICE_HASH)));
        String header = basic("alice:alice-pw");

        assertThat(credentials.check(null, header)).isEqualTo(CredentialCheck.valid("alice"));

        assertThat(credentials.isSlow(null, header)).isFalse();
        assertThat(credentials.checkWithoutBcrypt(null, header)).isEqualTo(CredentialCheck.valid("alice"));
        assertThat(credentials.check(null, header)).isEqualTo(CredentialCheck.valid("alice"));
    }

    @Test
    void aFailedBasicVerificationIsNotCached() {
        Credentials credentials = new Credentials(List.of(), List.of(new BasicUser("alice", ALICE_HASH)));

        assertThat(credentials.check(null, basic("alice:wrong"))).isEqualTo(CredentialCheck.BAD);

        assertThat(credentials.isSlow(null, basic("alice:wrong"))).isTrue();
        assertThat(credentials.cachedVerifications()).isZero();
    }

    @Test
    void checkWithoutBcryptDeclinesWhenBcryptWouldBeNeeded() {
        assertThat(both.checkWithoutBcrypt(null, basic("alice:alice-pw"))).isNull();
        assertThat(both.checkWithoutBcrypt("s3cret-current", null)).isEqualTo(CredentialCheck.valid("current"));
        assertThat(both.checkWithoutBcrypt("nope", null)).isEqualTo(CredentialCheck.BAD);
    }

    @Test
    void theCacheStaysBoundedAndAnEvictedCredentialStillVerifies() {
        List<BasicUser> users = List.of(new BasicUser("alice", ALICE_HASH), new BasicUser("bob", BOB_HASH),
                new BasicUser("carol", BCrypt.withDefaults().hashToString(4, "carol-pw".toCharArray())));
        Credentials credentials = new Credentials(List.of(), users, 2);

        credentials.check(null, basic("alice:alice-pw"));
        credentials.check(null, basic("bob:bob-pw"));
        credentials.check(null, basic("carol:carol-pw"));

        assertThat(credentials.cachedVerifications()).as("memory must not grow with distinct credentials").isEqualTo(2);
        long stillCached = List.of("alice:alice-pw", "bob:bob-pw", "carol:carol-pw").stream()
                .filter(c -> !credentials.isSlow(null, basic(c)))
                .count();
        assertThat(stillCached).isEqualTo(2);
        assertThat(credentials.check(null, basic("alice:alice-pw"))).isEqualTo(CredentialCheck.valid("alice"));
        assertThat(credentials.check(null, basic("bob:bob-pw"))).isEqualTo(CredentialCheck.valid("bob"));
    }

    @Test
    void passwordsLongerThan72BytesAreVerifiedLikeHtpasswdDoes() {
        String longPassword = "p".repeat(100);
        String hash = BCrypt.with(LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y))
                .hashToString(4, longPassword.toCharArray());
        Credentials credentials = new Credentials(List.of(), List.of(new BasicUser("long", hash)));

        assertThat(credentials.check(null, basic("long:" + longPassword))).isEqualTo(CredentialCheck.valid("long"));
    }

    @Test
    void twoAndYAndBHashPrefixesAreAccepted() {
        for (String prefix : List.of("$2a$", "$2b$", "$2y$")) {
            String hash = prefix + ALICE_HASH.substring(4);
            Credentials credentials = new Credentials(List.of(), List.of(new BasicUser("alice", hash)));

            assertThat(credentials.check(null, basic("alice:alice-pw"))).as(prefix).isEqualTo(CredentialCheck.valid("alice"));
        }
    }

    @Test
    void hasBasicUsersAndIsEmptyDescribeTheConfiguration() {
        assertThat(both.hasBasicUsers()).isTrue();
        assertThat(tokensOnly.hasBasicUsers()).isFalse();
        assertThat(tokensOnly.isEmpty()).isFalse();
        assertThat(new Credentials(List.of(), List.of()).isEmpty()).isTrue();
        assertThat(new Credentials(List.of(), List.of()).check("x", null)).isEqualTo(CredentialCheck.BAD);
    }

    @Test
    void toStringNeverShowsASecret() {
        assertThat(CURRENT.toString()).contains("current").doesNotContain("s3cret");
        BasicUser alice = new BasicUser("alice", ALICE_HASH);
        assertThat(alice.toString()).contains("alice").doesNotContain(ALICE_HASH).doesNotContain("$2");
        assertThat(both.toString()).contains("current", "alice").doesNotContain("s3cret").doesNotContain("$2");
    }

    @Test
    void blankOrDuplicateTokenNamesAreRejected() {
        assertThatThrownBy(() -> new Credentials(List.of(new Token(" ", "v")), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank name");
        assertThatThrownBy(() -> new Credentials(List.of(new Token("a", "v1"), new Token("a", "v2")), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a'")
                .hasMessageNotContaining("v1")
                .hasMessageNotContaining("v2");
    }

    @Test
    void emptyTokenValueIsRejectedNamingTheTokenOnly() {
        assertThatThrownBy(() -> new Credentials(List.of(new Token("sentry", "")), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sentry'")
                .hasMessageContaining("empty value");
    }

    @Test
    void aRefusedEntryIsNamedByItsListPositionAndField() {
        assertThatThrownBy(() -> new Credentials(List.of(new Token("a", "v1"), new Token("b", " ")), List.of()))
                .isInstanceOfSatisfying(InvalidEntry.class, e -> {
                    assertThat(e.field()).as("the value is at fault, not the name").isEqualTo(InvalidEntry.Field.TOKEN_VALUE);
                    assertThat(e.index()).as("the second token").isEqualTo(1);
                    assertThat(e.entry()).as("named, never shown").isEqualTo("b");
                });
        assertThatThrownBy(() -> new Credentials(List.of(),
                List.of(new BasicUser("alice", ALICE_HASH), new BasicUser("bob", "plain-password"))))
                .isInstanceOfSatisfying(InvalidEntry.class, e -> {
                    assertThat(e.field()).isEqualTo(InvalidEntry.Field.PASSWORD_HASH);
                    assertThat(e.index()).isEqualTo(1);
                    assertThat(e.getMessage()).as("no secret in the message").doesNotContain("plain-password");
                });
    }

    @Test
    void badUserNamesAreRejected() {
        assertThatThrownBy(() -> new Credentials(List.of(), List.of(new BasicUser("", ALICE_HASH))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank name");
        assertThatThrownBy(() -> new Credentials(List.of(), List.of(new BasicUser("a:b", ALICE_HASH))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a:b'")
                .hasMessageContaining("':'");
        assertThatThrownBy(() -> new Credentials(List.of(),
                List.of(new BasicUser("alice", ALICE_HASH), new BasicUser("alice", BOB_HASH))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'alice'")
                .hasMessageContaining("twice");
    }

    @Test
    void invalidBcryptHashesAreRejectedNamingTheUserButNotTheHash() {
        List<String> bad = List.of(
                "plain-password",
                "$apr1$abc$def",
                "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
                "$2x$" + ALICE_HASH.substring(4),
                "$2a$03$" + ALICE_HASH.substring(7),
                "$2a$32$" + ALICE_HASH.substring(7),
                ALICE_HASH.substring(0, 59),
                ALICE_HASH + "x",
                ALICE_HASH.substring(0, 20) + "!" + ALICE_HASH.substring(21));
        for (String hash : bad) {
            assertThatThrownBy(() -> new Credentials(List.of(), List.of(new BasicUser("dave", hash))))
                    .as(hash)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'dave'")
                    .hasMessageContaining("bcrypt")
                    .hasMessageNotContaining(hash);
        }
    }

    @Test
    void anUnknownUserIsCheckedAtOneOfTheUsersCostsAlwaysTheSameOneForTheSameName() {
        List<BasicUser> users = List.of(new BasicUser("alice", ALICE_HASH),
                new BasicUser("erin", BCrypt.withDefaults().hashToString(6, "erin-pw".toCharArray())));
        Credentials credentials = new Credentials(List.of(), users);
        Credentials again = new Credentials(List.of(), users);

        java.util.Set<String> costs = new java.util.HashSet<>();
        for (int i = 0; i < 64; i++) {
            String dummy = credentials.dummyHashFor("user" + i);
            costs.add(dummy.substring(4, 6));
            assertThat(again.dummyHashFor("user" + i)).as("the same across restarts with the same users")
                    .isEqualTo(dummy);
        }

        assertThat(costs).as("unknown names spread over the users' costs, and only those").containsExactlyInAnyOrder("04", "06");
    }

    @Test
    void withOneCostEveryUnknownUserIsCheckedAtIt() {
        Credentials credentials = new Credentials(List.of(), List.of(new BasicUser("erin",
                BCrypt.withDefaults().hashToString(6, "erin-pw".toCharArray()))));

        assertThat(credentials.dummyHashFor("mallory")).startsWith("$2a$06$");
        assertThat(BcryptHashes.isValid(credentials.dummyHashFor("mallory"))).isTrue();
    }

    @Test
    void tokensSharedWithAnotherSetAreFoundByValueAndNamedAsThisSetNamesThem() {
        Credentials other = new Credentials(List.of(new Token("theirs", "s3cret-next"), new Token("current", "different"),
                new Token("also-theirs", "s3cret-current")), List.of());

        assertThat(tokensOnly.tokensSharedWith(other)).as("in this set's config order")
                .containsExactly("current", "next");
        assertThat(other.tokensSharedWith(tokensOnly)).containsExactly("theirs", "also-theirs");
    }

    @Test
    void tokensWithTheSameNameButAnotherValueOrUsersAreNotShared() {
        Credentials sameNames = new Credentials(List.of(new Token("current", "x-1"), new Token("next", "x-2")),
                List.of(new BasicUser("alice", ALICE_HASH)));

        assertThat(tokensOnly.tokensSharedWith(sameNames)).isEmpty();
        assertThat(both.tokensSharedWith(sameNames)).as("users are not compared").isEmpty();
        assertThat(tokensOnly.tokensSharedWith(new Credentials(List.of(), List.of()))).isEmpty();
        assertThat(tokensOnly.tokensSharedWith(tokensOnly)).containsExactly("current", "next");
    }
}
