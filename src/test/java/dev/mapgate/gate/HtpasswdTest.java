package dev.mapgate.gate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.mapgate.gate.CredentialsTest.ALICE_HASH;
import static dev.mapgate.gate.CredentialsTest.BOB_HASH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HtpasswdTest {

    @Test
    void bcryptUsersAreReadSkippingBlankLinesAndComments() {
        String aliceY = "$2y$" + ALICE_HASH.substring(4);
        List<BasicUser> users = Htpasswd.parse(List.of(
                "# written by htpasswd -B",
                "",
                "alice:" + aliceY,
                "   ",
                "bob:" + BOB_HASH), "/etc/mapgate/htpasswd");

        assertThat(users).containsExactly(new BasicUser("alice", aliceY), new BasicUser("bob", BOB_HASH));
    }

    @Test
    void usersReadFromHtpasswdVerify() {
        List<BasicUser> users = Htpasswd.parse(List.of("alice:$2y$" + ALICE_HASH.substring(4)), "htpasswd");
        Credentials credentials = new Credentials(List.of(), users);

        assertThat(credentials.check(null, CredentialsTest.basic("alice:alice-pw"))).isEqualTo(CredentialCheck.valid("alice"));
    }

    @Test
    void windowsLineEndingsAreTolerated() {
        List<BasicUser> users = Htpasswd.parse(List.of("alice:" + ALICE_HASH + "\r"), "htpasswd");

        assertThat(users).containsExactly(new BasicUser("alice", ALICE_HASH));
    }

    @Test
    void nonBcryptFormatsAreRejectedWithSourceLineAndUser() {
        List<String> hashes = List.of(
                "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/",
                "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
                "rqXexS6ZhobKA",
                "plaintext");
        for (String hash : hashes) {
            assertThatThrownBy(() -> Htpasswd.parse(List.of("# users", "carol:" + hash), "users.htpasswd"))
                    .as(hash)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("users.htpasswd")
                    .hasMessageContaining("line 2")
                    .hasMessageContaining("'carol'")
                    .hasMessageContaining("only bcrypt is accepted")
                    .hasMessageNotContaining(hash);
        }
    }

    @Test
    void aLineWithoutAColonIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> Htpasswd.parse(List.of("hunter2"), "htpasswd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("htpasswd line 1")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void anEmptyUserNameOrADuplicateUserIsRejected() {
        assertThatThrownBy(() -> Htpasswd.parse(List.of(":" + ALICE_HASH), "htpasswd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> Htpasswd.parse(List.of("alice:" + ALICE_HASH, "alice:" + BOB_HASH), "htpasswd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("'alice'");
    }

    @Test
    void anEmptyFileHasNoUsers() {
        assertThat(Htpasswd.parse(List.of(), "htpasswd")).isEmpty();
    }
}
