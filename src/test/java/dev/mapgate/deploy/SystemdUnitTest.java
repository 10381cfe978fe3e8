package dev.mapgate.deploy;

import com.typesafe.config.Config;
import dev.mapgate.Main;
import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsWithEnvironment;
import dev.mapgate.deploy.Dockerfile.Instruction;
import dev.mapgate.limits.OpenFileLimit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.mapgate.deploy.DeployFiles.UNIT;
import static dev.mapgate.deploy.DeployFiles.VM_CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SystemdUnitTest {

    private static final String SERVICE = "Service";
    /** As long as `openssl rand -hex 32` makes one, so check-config has nothing to say about it. */
    private static final String VM_TOKEN = "5d1c9a7e3b2f4068a1c3e5f7092b4d6f8a0c2e4f6b8d0a1c3e5f7092b4d6f8a0";

    private final SystemdUnit unit = DeployFiles.unit();

    @TempDir
    Path dir;

    // ---- starting, reloading, stopping ------------------------------------------------------------

    @Test
    void startsTheJarTheImageShipsWithTheConfigPathTheImageUses() {
        Dockerfile image = DeployFiles.dockerfile();
        String imageJar = image.finalStage().copyFrom("build", ".jar").orElseThrow().operands().get(1);
        List<String> imageCmd = image.finalStage().last("CMD").flatMap(Instruction::execForm).orElseThrow();
        List<String> exec = execStart();

        assertThat(exec.get(0)).as("an absolute path, as systemd wants").isEqualTo("/usr/bin/java");
        assertThat(exec).as("the same install path as the image").containsSubsequence("-jar", imageJar);
        assertThat(exec).as("the same config path as the image").containsSubsequence(imageCmd);
        assertThat(exec).containsSubsequence("--config", "/etc/mapgate/mapgate.conf");
        assertThat(exec.subList(exec.indexOf("-jar"), exec.size())).as("JVM options go before -jar")
                .noneMatch(w -> w.startsWith("-X"));
    }

    @Test
    void capsTheHeapSoThatResidentMemoryStaysSmall() {
        List<String> jvm = execStart().subList(1, execStart().indexOf("-jar"));

        // src/bench/run measures resident memory with exactly these flags, and the README quotes it.
        assertThat(jvm).as("without -Xmx the heap may grow to a quarter of the machine's memory")
                .anyMatch(o -> o.matches("-Xmx\\d+[mM]"));
        assertThat(jvm).contains("-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError");
    }

    @Test
    void countsAsStartedOnceJavaRunsSinceMapgateSendsNoReadinessNotification() {
        assertThat(unit.value(SERVICE, "Type")).hasValue("exec");
    }

    @Test
    void reloadSendsSighupToTheMainProcessWithTheShellsOwnKill() {
        String reload = unit.value(SERVICE, "ExecReload").orElseThrow();

        // /bin/kill belongs to procps, which minimal Debian and Ubuntu hosts do not install:
        // `systemctl reload` then failed with 203/EXEC. /bin/sh is on every host, kill is built
        // into it, and systemd passes MAINPID to ExecReload in the environment.
        assertThat(reload).isEqualTo("/bin/sh -c 'kill -HUP \"$MAINPID\"'");
    }

    @Test
    void stopSendsSigtermAndWaitsLongerThanTheDrainDelayPlusGrace() throws IOException {
        Config reference = DeployFiles.reference();
        Duration defaults = reference.getDuration("shutdown.drain-delay").plus(reference.getDuration("shutdown.grace"));
        Settings vm = loadVmConfig();
        Duration shipped = vm.shutdown().drainDelay().plus(vm.shutdown().grace());
        Duration timeout = SystemdUnit.timeSpan(unit.value(SERVICE, "TimeoutStopSec").orElseThrow(
                () -> new AssertionError("no TimeoutStopSec: systemd's 90s default would hide a hung stop")));

        assertThat(unit.value(SERVICE, "KillSignal").orElse("SIGTERM")).isEqualTo("SIGTERM");
        assertThat(timeout).as("else systemd kills mapgate while requests in flight still have grace")
                .isGreaterThan(defaults)
                .isGreaterThan(shipped);
    }

    @Test
    void restartsAfterAFailureButNotAfterABadConfig() throws Exception {
        List<String> prevent = unit.list(SERVICE, "RestartPreventExitStatus");

        assertThat(unit.value(SERVICE, "Restart")).hasValue("on-failure");
        assertThat(prevent).as("a bad config fails the same way until someone edits it")
                .contains(String.valueOf(mainExitCode("EXIT_CONFIG")));
        assertThat(prevent).as("a port that cannot be bound may be free a moment later, and the JVM's"
                        + " ExitOnOutOfMemoryError exits 3 as well")
                .doesNotContain(String.valueOf(mainExitCode("EXIT_LISTEN")));
        assertThat(unit.value("Unit", "StartLimitBurst")).as("retries are bounded").isPresent();
    }

    // ---- sandboxing -------------------------------------------------------------------------------

    @Test
    void sandboxesTheService() {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("NoNewPrivileges", "yes"),
                Map.entry("ProtectSystem", "strict"),
                Map.entry("ProtectHome", "yes"),
                Map.entry("PrivateTmp", "yes"),
                Map.entry("PrivateDevices", "yes"),
                Map.entry("ProtectKernelTunables", "yes"),
                Map.entry("ProtectKernelModules", "yes"),
                Map.entry("ProtectKernelLogs", "yes"),
                Map.entry("ProtectControlGroups", "yes"),
                Map.entry("RestrictNamespaces", "yes"),
                Map.entry("RestrictRealtime", "yes"),
                Map.entry("RestrictSUIDSGID", "yes"),
                Map.entry("LockPersonality", "yes"),
                Map.entry("SystemCallArchitectures", "native"));
        SoftAssertions softly = new SoftAssertions();
        expected.forEach((key, value) -> softly.assertThat(unit.value(SERVICE, key)).as(key).hasValue(value));
        softly.assertAll();
    }

    @Test
    void leavesTheJitTheWritableExecutableMemoryItNeeds() {
        assertThat(unit.value(SERVICE, "MemoryDenyWriteExecute").orElse("no"))
                .as("HotSpot writes the code it compiles and then runs it; refused, the JVM does not start")
                .isEqualTo("no");
    }

    @Test
    void allowsOnlyInternetAndUnixSockets() {
        assertThat(unit.list(SERVICE, "RestrictAddressFamilies"))
                .containsExactlyInAnyOrder("AF_INET", "AF_INET6", "AF_UNIX");
    }

    @Test
    void grantsNoCapabilitiesUnlessTheListenerPortNeedsOne() throws IOException {
        List<String> expected = loadVmConfig().listen().port() < 1024 ? List.of("CAP_NET_BIND_SERVICE") : List.of();

        assertThat(unit.all(SERVICE, "CapabilityBoundingSet")).as("set explicitly, not left to the default of all")
                .isNotEmpty();
        assertThat(unit.list(SERVICE, "CapabilityBoundingSet")).isEqualTo(expected);
        assertThat(unit.list(SERVICE, "AmbientCapabilities")).isEqualTo(expected);
    }

    @Test
    void runsAsItsOwnUserNotRoot() {
        assertThat(unit.value(SERVICE, "User")).hasValue("mapgate");
        assertThat(unit.value(SERVICE, "Group")).hasValue("mapgate");
        assertThat(unit.value(SERVICE, "DynamicUser").orElse("no"))
                .as("the token file is readable by group mapgate, which must exist before the service starts")
                .isEqualTo("no");
    }

    @Test
    void openFileLimitCoversBothListenersFullOnAMachineWithManyCores() {
        int maxConnections = DeployFiles.reference().getInt("listen.max-connections");
        int adminConnections = DeployFiles.reference().getInt("admin.max-connections");
        // Netty's default: two event loops a core, here for 64 cores.
        long needed = OpenFileLimit.needed(maxConnections, adminConnections, 128);

        assertThat(Long.parseLong(unit.value(SERVICE, "LimitNOFILE").orElseThrow()))
                .as("what mapgate warns about at startup when the limit is lower").isGreaterThanOrEqualTo(needed);
    }

    // ---- the config it ships with -----------------------------------------------------------------

    @Test
    void vmConfigLoadsWithTheTokenFileBesideItAndLetsSentryIn() throws Exception {
        Settings settings = loadVmConfig();
        InetAddress sentry = InetAddress.getByName(
                DeployFiles.reference().getStringList("ip-ranges.sentry-eu").get(0).replaceFirst("/\\d+$", ""));

        assertThat(settings.warnings()).isEmpty();
        assertThat(settings.admin().host()).as("on a VM the admin listener stays on loopback").isEqualTo("127.0.0.1");
        assertThat(settings.gate().policy().decide("/app.js.map", sentry, VM_TOKEN, null).allowed()).isTrue();
        assertThat(settings.gate().policy().decide("/app.js.map", sentry, "wrong", null).allowed()).isFalse();
    }

    @Test
    void systemdAnalyzeVerifyAcceptsTheUnit() throws Exception {
        Path analyze = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "systemd-analyze"))
                .filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(analyze != null, "systemd-analyze is not on the PATH");
        assumeTrue(Files.isExecutable(Path.of(execStart().get(0))),
                "verify checks that " + execStart().get(0) + " exists, and it does not here");

        Process verify = new ProcessBuilder(analyze.toString(), "verify", "--man=no", UNIT.toString())
                .redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).as("systemd-analyze verify finished").isTrue();

        assertThat(output).as("no warnings, e.g. an unknown key systemd would ignore").isEmpty();
        assertThat(verify.exitValue()).isZero();
    }

    // ---- the parser these tests rely on -----------------------------------------------------------

    @Test
    void unitParserKeepsRepeatedKeysAndJoinsContinuations() {
        SystemdUnit parsed = SystemdUnit.parse("""
                # comment
                [Service]
                ; another comment
                ExecStart=/bin/a \\
                    --flag
                RestrictAddressFamilies=AF_INET
                RestrictAddressFamilies=AF_INET6 AF_UNIX
                CapabilityBoundingSet=CAP_A
                CapabilityBoundingSet=
                """);

        assertThat(parsed.value(SERVICE, "ExecStart")).hasValue("/bin/a --flag");
        assertThat(parsed.list(SERVICE, "RestrictAddressFamilies")).containsExactly("AF_INET", "AF_INET6", "AF_UNIX");
        assertThat(parsed.list(SERVICE, "CapabilityBoundingSet")).as("an empty assignment resets").isEmpty();
        assertThat(parsed.all(SERVICE, "CapabilityBoundingSet")).containsExactly("CAP_A", "");
    }

    @Test
    void timeSpansReadAsSystemdReadsThem() {
        assertThat(SystemdUnit.timeSpan("35s")).isEqualTo(Duration.ofSeconds(35));
        assertThat(SystemdUnit.timeSpan("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(SystemdUnit.timeSpan("1min 30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(SystemdUnit.timeSpan("2min500ms")).isEqualTo(Duration.ofMillis(120_500));
        assertThatThrownBy(() -> SystemdUnit.timeSpan("infinity")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private List<String> execStart() {
        return List.of(unit.value(SERVICE, "ExecStart").orElseThrow().split("\\s+"));
    }

    /** The shipped VM config as installed: in its own folder, with the token file beside it. */
    private Settings loadVmConfig() throws IOException {
        Path config = Files.copy(VM_CONFIG, dir.resolve("mapgate.conf"));
        Files.writeString(dir.resolve("sentry-token"), VM_TOKEN + "\n");
        return SettingsWithEnvironment.load(config, Map.of());
    }

    /** mapgate's exit codes live in Main, package-private; the unit must agree with them. */
    private static int mainExitCode(String name) throws ReflectiveOperationException {
        Field field = Main.class.getDeclaredField(name);
        field.setAccessible(true);
        return field.getInt(null);
    }
}
