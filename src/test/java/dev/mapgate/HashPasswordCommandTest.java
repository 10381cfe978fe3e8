package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsWithEnvironment;
import dev.mapgate.gate.BasicUser;
import dev.mapgate.gate.CredentialCheck;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.Htpasswd;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.TestMapgate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class HashPasswordCommandTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String BCRYPT_COST_4 = "\\$2y\\$04\\$[./A-Za-z0-9]{53}";

    @TempDir
    Path dir;

    @Test
    void aPipedPasswordGivesAHashThatTheGateAcceptsFromTheConfig() throws Exception {
        Cli.Result result = Cli.piped(PASSWORD + "\n", "hash-password", "--cost", "4");

        assertThat(result.exit()).as("stderr: %s", result.err()).isZero();
        assertThat(result.err()).isEmpty();
        String hash = result.out().strip();
        assertThat(result.out()).as("one line, the bare hash").isEqualTo(hash + System.lineSeparator());
        assertThat(hash).matches(BCRYPT_COST_4);
        assertThat(result.everything()).doesNotContain(PASSWORD);

        Files.createDirectories(dir.resolve("site"));
        Path config = dir.resolve("mapgate.conf");
        Files.writeString(config, """
                mapgate.origin.directory = "site"
                mapgate.gate.require = [credential]
                mapgate.gate.basic.users = [ { name = "alice", password-hash = "%s" } ]
                """.formatted(hash), StandardCharsets.UTF_8);
        Settings settings = SettingsWithEnvironment.load(config, Map.of());
        InetAddress client = InetAddress.getLoopbackAddress();
        Decision right = settings.gate().policy().decide("/app.js.map", client, null, basic("alice", PASSWORD));
        Decision wrong = settings.gate().policy().decide("/app.js.map", client, null, basic("alice", "wrong"));
        assertThat(right.allowed()).as("the gate accepts the password behind the printed hash").isTrue();
        assertThat(wrong.allowed()).isFalse();
    }

    @Test
    void withUserItPrintsAnHtpasswdLineThatTheHtpasswdReaderAccepts() {
        Cli.Result result = Cli.piped(PASSWORD + "\n", "hash-password", "--user", "alice", "--cost", "4");

        assertThat(result.exit()).as("stderr: %s", result.err()).isZero();
        List<BasicUser> users = Htpasswd.parse(result.out().lines().toList(), "hash-password output");
        assertThat(users).singleElement().extracting(BasicUser::name).isEqualTo("alice");
        assertThat(users.get(0).passwordHash()).matches(BCRYPT_COST_4);
        assertThat(check(users.get(0), PASSWORD)).isEqualTo(CredentialCheck.Outcome.VALID);
    }

    @Test
    void theLineEndIsNotPartOfThePasswordAndLaterLinesAreIgnored() {
        Cli.Result result = Cli.piped(PASSWORD + "\r\nsecond line\n", "hash-password", "--cost", "4");

        assertThat(result.exit()).as("stderr: %s", result.err()).isZero();
        BasicUser user = new BasicUser("alice", result.out().strip());
        assertThat(check(user, PASSWORD)).as("CRLF stripped").isEqualTo(CredentialCheck.Outcome.VALID);
        assertThat(check(user, PASSWORD + "\r")).isEqualTo(CredentialCheck.Outcome.BAD);
    }

    @Test
    void theDefaultCostIsTwelve() {
        Cli.Result result = Cli.piped(PASSWORD + "\n", "hash-password");

        assertThat(result.exit()).as("stderr: %s", result.err()).isZero();
        assertThat(result.out().strip()).startsWith("$2y$12$");
    }

    @Test
    void anEmptyPasswordIsRefusedWithOneLine() {
        for (String stdin : List.of("", "\n", "\r\n")) {
            Cli.Result result = Cli.piped(stdin, "hash-password", "--cost", "4");

            assertThat(result.exit()).as("input %s", stdin.replace("\r", "\\r").replace("\n", "\\n"))
                    .isEqualTo(Main.EXIT_USAGE);
            assertThat(result.out()).isEmpty();
            assertThat(result.errLines()).containsExactly("mapgate: hash-password: the password is empty");
        }
    }

    @Test
    void aPasswordLongerThanBcryptReadsIsRefusedRatherThanCutShort() {
        Cli.Result longest = Cli.piped("a".repeat(72) + "\r\n", "hash-password", "--cost", "4");
        Cli.Result tooLong = Cli.piped("a".repeat(73) + "\n", "hash-password", "--cost", "4");
        Cli.Result wholeFile = Cli.piped("a".repeat(10_000), "hash-password", "--cost", "4");

        assertThat(longest.exit()).isZero();
        assertThat(check(new BasicUser("a", longest.out().strip()), "a".repeat(72)))
                .isEqualTo(CredentialCheck.Outcome.VALID);
        for (Cli.Result refused : List.of(tooLong, wholeFile)) {
            assertThat(refused.exit()).isEqualTo(Main.EXIT_USAGE);
            assertThat(refused.errLines()).singleElement().asString().contains("longer than 72 bytes");
            assertThat(refused.out()).isEmpty();
        }
    }

    @Test
    void aPasswordThatIsNotUtf8IsRefused() {
        HashPasswordCommand.Refusal refusal = catchThrowableOfType(HashPasswordCommand.Refusal.class,
                () -> HashPasswordCommand.firstLine(new ByteArrayInputStream(new byte[] {'p', (byte) 0xff, '\n'})));

        assertThat(refusal).as("the gate decodes Basic passwords as UTF-8, so this one could never match")
                .hasMessage("the password is not valid UTF-8");
    }

    @Test
    void aUserNameTheGateWouldRefuseIsRefusedBeforeAnyPasswordIsRead() {
        for (String name : List.of("al:ice", "al\u0007ice", " ")) {
            Cli.Result result = Cli.piped(PASSWORD + "\n", "hash-password", "--user", name, "--cost", "4");

            assertThat(result.exit()).as("name %s", name).isEqualTo(Main.EXIT_USAGE);
            assertThat(result.out()).isEmpty();
            assertThat(result.errLines()).singleElement().asString().startsWith("mapgate: hash-password: --user: ");
        }
    }

    @Test
    void aCostOutsideWhatBcryptAllowsIsAOneLineUsageError() {
        for (String cost : List.of("3", "32", "twelve")) {
            Cli.Result result = Cli.piped(PASSWORD + "\n", "hash-password", "--cost", cost);

            assertThat(result.exit()).as("--cost %s", cost).isEqualTo(Main.EXIT_USAGE);
            assertThat(result.out()).isEmpty();
            assertThat(result.errLines()).as("no usage help after the message").singleElement().asString()
                    .startsWith("mapgate: ").contains(cost).endsWith("(see mapgate hash-password --help)");
        }
        assertThat(Cli.piped("", "hash-password", "--cost", "3").err()).contains("not between 4 and 31");
    }

    /** As users run it: `printf '%s\n' "$PASSWORD" | mapgate hash-password`, standard input a pipe. */
    @Test
    @Heavy
    void asAProcessItReadsThePasswordFromAPipe() throws Exception {
        MapgateJvm.Finished finished = TestMapgate.jvm()
                .run(PASSWORD + "\n", "hash-password", "--cost", "4", "--user", "sentry");

        assertThat(finished.exit()).as("stderr: %s", finished.stderr()).isZero();
        assertThat(finished.stdout()).startsWith("sentry:$2y$04$").endsWith("\n");
        assertThat(finished.stderr()).doesNotContain(PASSWORD);
        BasicUser user = Htpasswd.parse(finished.stdout().lines().toList(), "stdout").get(0);
        assertThat(check(user, PASSWORD)).isEqualTo(CredentialCheck.Outcome.VALID);
    }

    /** As a person types it: two prompts, nothing echoed, a mismatch refused. */
    @Test
    @Timeout(60)
    @Heavy
    void onATerminalItAsksTwiceWithoutEchoingAndRefusesAMismatch() throws Exception {
        String typed = typeOnTerminal(PASSWORD, PASSWORD);
        String mistyped = typeOnTerminal(PASSWORD, PASSWORD + "!");

        assertThat(typed).contains("Password: ", "Again: ", "alice:$2y$04$").endsWith("exit 0");
        assertThat(typed).as("the terminal shows no character of the password").doesNotContain(PASSWORD);
        String hash = typed.substring(typed.indexOf("alice:") + "alice:".length()).lines().findFirst().orElseThrow();
        assertThat(check(new BasicUser("alice", hash), PASSWORD)).isEqualTo(CredentialCheck.Outcome.VALID);
        assertThat(mistyped).contains("mapgate: hash-password: the two passwords do not match")
                .doesNotContain("$2y$").doesNotContain(PASSWORD).endsWith("exit 2");
    }

    /** What the terminal showed, then "exit N". Each answer is typed only once its prompt is shown, as a person would. */
    private static String typeOnTerminal(String first, String second) throws Exception {
        Optional<Process> started = TestMapgate.jvm().onTerminal("hash-password", "--cost", "4", "--user", "alice");
        assumeTrue(started.isPresent(), "util-linux script, to give the command a terminal");
        Process process = started.get();
        StringBuilder shown = new StringBuilder();
        try (InputStream screen = process.getInputStream(); OutputStream keyboard = process.getOutputStream()) {
            readUntil(screen, shown, "Password: ");
            keyboard.write((first + "\n").getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            readUntil(screen, shown, "Again: ");
            keyboard.write((second + "\n").getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            shown.append(new String(screen.readAllBytes(), StandardCharsets.UTF_8));
        }
        return shown.toString().replace("\r", "") + "exit " + process.waitFor();
    }

    private static void readUntil(InputStream in, StringBuilder shown, String prompt) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (!bytes.toString(StandardCharsets.UTF_8).endsWith(prompt)) {
            int b = in.read();
            if (b == -1) {
                throw new AssertionError("no prompt '" + prompt + "'; the terminal showed: " + shown + bytes);
            }
            bytes.write(b);
        }
        shown.append(bytes.toString(StandardCharsets.UTF_8));
    }

    private static CredentialCheck.Outcome check(BasicUser user, String password) {
        return new Credentials(List.of(), List.of(user)).check(null, basic(user.name(), password)).outcome();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
