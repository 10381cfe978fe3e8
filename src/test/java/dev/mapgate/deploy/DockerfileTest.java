package dev.mapgate.deploy;

import com.typesafe.config.Config;
import dev.mapgate.config.ConfigProblem;
import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsWithEnvironment;
import dev.mapgate.deploy.Dockerfile.Instruction;
import dev.mapgate.deploy.Dockerfile.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.mapgate.deploy.DeployFiles.IMAGE_CONFIG;
import static dev.mapgate.deploy.DeployFiles.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class DockerfileTest {

    /** As long as `openssl rand -hex 32` makes it would be overkill here; 32 characters keep check-config quiet. */
    private static final String TOKEN = "token-from-the-mounted-secret-6e1f";

    private final Dockerfile dockerfile = DeployFiles.dockerfile();
    private final Stage build = dockerfile.stage("build");
    private final Stage runtime = dockerfile.finalStage();

    @TempDir
    Path dir;

    // ---- the stages -----------------------------------------------------------------------------

    @Test
    void buildsWithMavenInOneStageAndRunsOnALinkedRuntimeInAnother() {
        String release = pomProperty("maven.compiler.release");
        Stage jre = dockerfile.stage("jre");

        assertThat(dockerfile.stages()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(build).as("the build stage comes first").isSameAs(dockerfile.stages().get(0));
        assertThat(build.image()).as("a Maven image on the JDK the pom compiles for, named in full for Podman")
                .startsWith("docker.io/library/maven:").containsPattern("temurin-" + release + "\\b");
        assertThat(jre.image()).as("jlink from the JDK that compiled the jar").isEqualTo(build.image());
        assertThat(runtime.image()).as("a slim base: no JDK, compiler or Maven in the image")
                .matches("docker\\.io/library/debian:[a-z]+-slim");
        assertThat(runtime.all("COPY")).as("the runtime jlink wrote, copied from its stage")
                .anySatisfy(copy -> assertThat(copy.flag("from")).contains("jre"));
    }

    @Test
    void javaOnThePathIsTheLinkedRuntime() {
        Instruction copy = runtime.all("COPY").stream().filter(c -> c.flag("from").orElse("").equals("jre"))
                .findFirst().orElseThrow();
        String output = jlinkOption("--output");

        assertThat(copy.operands()).as("the runtime is copied from where jlink wrote it").containsExactly(output, output);
        assertThat(runtime.environment().get("PATH")).as("the ENTRYPOINT's java is the linked runtime's")
                .startsWith(output + "/bin:");
        assertThat(jlinkOption("--add-modules").split(",")).as("modules mapgate cannot start without")
                .contains("java.base", "java.logging", "java.management", "java.naming", "java.xml",
                        "jdk.unsupported", "jdk.crypto.ec");
    }

    @Test
    void buildStageRunsTheReadmesPackageCommand() {
        List<String> readme = readmePackageCommand();
        List<String> docker = mavenRun(build, "package");

        assertThat(readme).as("README's first line builds with mvn ... package").contains("mvn", "package");
        assertThat(goals(docker)).as("the same goals as the README, so the image holds the jar users build")
                .isEqualTo(goals(readme));
        assertThat(docker).as("every flag the README gives, e.g. -DskipTests").containsAll(readme);
        assertThat(docker.stream().filter(w -> !readme.contains(w)))
                .as("the image build adds no flag that changes what is built, only quieter output")
                .allMatch(w -> w.equals("-ntp") || w.equals("--no-transfer-progress"));
    }

    @Test
    void buildStageFetchesDependenciesBeforeCopyingTheSources() {
        List<Instruction> steps = build.instructions();
        int pom = indexOf(steps, i -> i.keyword().equals("COPY") && i.operands().get(0).equals("pom.xml"));
        int fetch = indexOf(steps, i -> i.keyword().equals("RUN") && i.arguments().contains("dependency:"));
        int sources = indexOf(steps, i -> i.keyword().equals("COPY") && i.operands().get(0).equals("src"));
        int packaging = indexOf(steps, i -> i.keyword().equals("RUN") && i.arguments().contains(" package"));

        assertThat(List.of(pom, fetch, sources, packaging))
                .as("pom, dependencies, sources, package: a source change reuses the dependency layer")
                .doesNotContain(-1)
                .isSorted();
    }

    @Test
    void finalStageCopiesTheShadedJarFromTheBuildStage() {
        Instruction copy = jarCopy();
        String shaded = Path.of(build.workdir(), "target", pomFinalName() + ".jar").toString();

        assertThat(Path.of("/").resolve(copy.operands().get(0)).toString())
                .as("the jar maven-shade-plugin writes (its finalName) in the build stage's WORKDIR")
                .isEqualTo(shaded);
        assertThat(copy.operands().get(1)).isEqualTo("/opt/mapgate/mapgate.jar");
    }

    // ---- the runtime image ----------------------------------------------------------------------

    @Test
    void runsAsANumericUserThatIsNotRootAndIsSetBeforeTheEntrypoint() {
        Instruction user = runtime.last("USER").orElseThrow(() -> new AssertionError("the final stage sets no USER"));
        Matcher m = Pattern.compile("(\\d+)(?::(\\d+))?").matcher(user.arguments());

        assertThat(m.matches()).as("numeric, so Kubernetes' runAsNonRoot can check it: " + user.arguments()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).as("uid").isNotZero();
        assertThat(m.group(2)).as("gid given too, so the process is not in group root").isNotNull();
        assertThat(Integer.parseInt(m.group(2))).as("gid").isNotZero();
        assertThat(runtime.instructions().indexOf(user))
                .as("USER comes before ENTRYPOINT")
                .isLessThan(runtime.instructions().indexOf(runtime.last("ENTRYPOINT").orElseThrow()));
    }

    @Test
    void filesInTheImageBelongToRootAndAreNotWritable() {
        for (Instruction copy : runtime.all("COPY")) {
            assertThat(copy.flag("chown")).as("line %d: owned by root, so the app user cannot change it", copy.line())
                    .isEmpty();
            copy.flag("chmod").ifPresent(mode -> assertThat(Integer.parseInt(mode, 8) & 0222)
                    .as("line %d: --chmod=%s leaves no write bit", copy.line(), mode)
                    .isZero());
        }
        assertThat(runtime.all("ADD")).as("COPY only: ADD fetches URLs and unpacks archives").isEmpty();
    }

    @Test
    void exposesTheListenAndAdminPortsOfReferenceConf() {
        Config reference = DeployFiles.reference();
        Set<Integer> exposed = runtime.all("EXPOSE").stream()
                .flatMap(i -> i.words().stream())
                .map(p -> Integer.parseInt(p.replaceFirst("/tcp$", "")))
                .collect(Collectors.toSet());

        assertThat(exposed).isEqualTo(Set.of(reference.getInt("listen.port"), reference.getInt("admin.port")));
    }

    @Test
    void entrypointRunsTheJarAsPidOneAndCmdNamesTheShippedConfig() {
        List<String> entrypoint = execForm("ENTRYPOINT");
        List<String> cmd = execForm("CMD");

        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).as("-jar, then the jar the final stage copied")
                .containsSubsequence("-jar", jarCopy().operands().get(1));
        assertThat(entrypoint).as("JVM flags belong in the linked runtime, where JAVA_TOOL_OPTIONS can replace them")
                .noneMatch(w -> w.startsWith("-Xmx") || w.startsWith("-XX:"));
        assertThat(cmd).containsExactly("--config", configCopy().operands().get(1));
        assertThat(configCopy().operands().get(1)).isEqualTo("/etc/mapgate/mapgate.conf");
        assertThat(runtime.last("STOPSIGNAL").map(Instruction::arguments).orElse("SIGTERM"))
                .as("the signal mapgate drains on")
                .isEqualTo("SIGTERM");
    }

    @Test
    void jvmOptionsStopTheJvmOnOutOfMemoryAndSizeTheHeapByTheContainer() {
        String options = jlinkOption("--add-options").replaceAll("^\"|\"$", "");

        assertThat(options.split("\\s+")).contains("-XX:+ExitOnOutOfMemoryError")
                .anyMatch(o -> o.startsWith("-XX:MaxRAMPercentage="));
        assertThat(runtime.environment()).as("set there, the JVM would print a 'Picked up' line before every "
                + "one-line config error, and a user's own JAVA_TOOL_OPTIONS would silently drop them")
                .doesNotContainKey("JAVA_TOOL_OPTIONS");
    }

    // ---- the image's config ---------------------------------------------------------------------

    @Test
    void imageConfigLoadsOnceGivenAnOriginAndATokenAndLetsSentryIn() throws Exception {
        Settings settings = loadImageConfig(Map.of("MAPGATE_ORIGIN_URL", "https://assets.internal.example",
                "SENTRY_TOKEN_FILE", tokenFile().toString()));
        InetAddress sentry = InetAddress.getByName(firstSentryAddress());

        assertThat(settings.warnings()).isEmpty();
        assertThat(settings.origin().url()).hasToString("https://assets.internal.example");
        assertThat(settings.listen().host()).isEqualTo("0.0.0.0");
        assertThat(settings.admin().host())
                .as("the Dockerfile's ENV opens the admin listener to probes from outside the container")
                .isEqualTo("0.0.0.0");
        assertThat(runtime.all("EXPOSE").stream().flatMap(i -> i.words().stream()))
                .contains(String.valueOf(settings.listen().port()), String.valueOf(settings.admin().port()));
        assertThat(settings.gate().policy().decide("/app.js.map", sentry, TOKEN, null).allowed())
                .as("Sentry's address with the token from the secret file").isTrue();
        assertThat(settings.gate().policy().decide("/app.js.map", InetAddress.getLoopbackAddress(), TOKEN, null).allowed())
                .as("the token alone is not enough").isFalse();
    }

    @Test
    void imageConfigTakesAFolderOriginInsteadOfAUrl() throws Exception {
        Path site = Files.createDirectory(dir.resolve("site"));
        Settings settings = loadImageConfig(Map.of("MAPGATE_ORIGIN_DIRECTORY", site.toString(),
                "SENTRY_TOKEN_FILE", tokenFile().toString()));

        assertThat(settings.origin().directory()).isEqualTo(site);
    }

    @Test
    void imageConfigWithoutAnOriginStopsWithOneLineNamingTheVariable() {
        ConfigProblem problem = catchThrowableOfType(ConfigProblem.class, () -> loadImageConfig(Map.of()));

        assertThat(problem).isNotNull();
        assertThat(problem.getMessage()).doesNotContain("\n").contains("${MAPGATE_ORIGIN_URL}");
    }

    @Test
    void imageConfigWithoutTheSecretFileStartsWithTheTokenRevokedAndDeniesEveryMap() throws Exception {
        Path secret = Path.of("/run/secrets/sentry-token");
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(secret), secret + " exists on this machine");

        Settings settings = loadImageConfig(Map.of("MAPGATE_ORIGIN_URL", "http://origin:8080"));

        assertThat(settings.gate().revokedTokens()).as("a missing secret is a revoked token, as on a reload")
                .singleElement().satisfies(revoked -> {
                    assertThat(revoked.name()).isEqualTo("sentry");
                    assertThat(revoked.file()).isEqualTo(secret);
                });
        assertThat(settings.sources()).as("mounting the secret later brings the token in").contains(secret);
        assertThat(settings.warnings()).singleElement().asString().contains("no gated request can be allowed");
        assertThat(settings.gate().policy().decide("/app.js.map", InetAddress.getByName(firstSentryAddress()), TOKEN,
                null).allowed()).as("fails closed").isFalse();
    }

    @Test
    void theDeploymentGuideMountsTheSecretsFolderWhereTheImageConfigReadsTheToken() {
        Matcher run = Pattern.compile("docker run .*?\\R[^\\\\\\n]*?mapgate:\\S+$", Pattern.DOTALL | Pattern.MULTILINE)
                .matcher(read(DeployFiles.DEPLOYMENT_GUIDE));
        assertThat(run.find()).as("the deployment guide has a docker run of the image").isTrue();
        Matcher mount = Pattern.compile("-v \"?[^:\\s]+:([^:\\s\"]+)(?::ro)?\"?").matcher(run.group());
        assertThat(mount.find()).as("the docker run mounts a volume: %s", run.group()).isTrue();
        Matcher file = Pattern.compile("(?m)^\\s*file = \"([^\"]+)\"").matcher(read(IMAGE_CONFIG));
        assertThat(file.find()).as("the image config names a token file").isTrue();
        Path token = Path.of(file.group(1));

        // A single-file bind mount pins the file it was given: a secret replaced by renaming a new
        // file over it (what editors, secret managers and the kubelet do) is never seen inside.
        assertThat(token.getParent()).as("the image config's token file lies in the folder the guide's docker run mounts")
                .isEqualTo(Path.of(mount.group(1)));
    }

    @Test
    void dockerignoreLeavesOutBuildOutputAndHistoryButNothingTheBuildCopies() {
        DockerIgnore ignore = DockerIgnore.parse(read(DeployFiles.DOCKERIGNORE));

        assertThat(ignore.excludes("target")).isTrue();
        assertThat(ignore.excludes("target/mapgate.jar")).isTrue();
        assertThat(ignore.excludes(".git")).isTrue();
        assertThat(ignore.excludes(".git/HEAD")).isTrue();
        for (Stage stage : dockerfile.stages()) {
            for (Instruction copy : stage.all("COPY")) {
                if (copy.flag("from").isPresent()) {
                    continue;
                }
                List<String> sources = copy.operands().subList(0, copy.operands().size() - 1);
                for (String source : sources) {
                    assertThat(ignore.excludes(source)).as("line %d copies %s from the context", copy.line(), source)
                            .isFalse();
                    assertThat(Files.exists(Path.of(source))).as("line %d: %s exists", copy.line(), source).isTrue();
                }
            }
        }
        assertThat(ignore.excludes("src/main/java/dev/mapgate/Main.java")).isFalse();
    }

    // ---- the parsers these tests rely on ----------------------------------------------------------

    @Test
    void dockerfileParserJoinsContinuationsAndSkipsCommentsInsideThem() {
        Dockerfile parsed = Dockerfile.parse("""
                # syntax comment
                FROM base:1 AS one
                RUN a \\
                # a comment inside the continuation
                    && b
                ENV A=1 B="two words" \\
                    C=x\\ y
                FROM --platform=linux/amd64 other:2
                ENV LEGACY some value
                """);

        assertThat(parsed.stages()).extracting(Stage::image).containsExactly("base:1", "other:2");
        assertThat(parsed.stage("one").all("RUN").get(0).arguments()).isEqualTo("a && b");
        assertThat(parsed.stage("one").environment()).containsExactly(
                Map.entry("A", "1"), Map.entry("B", "two words"), Map.entry("C", "x y"));
        assertThat(parsed.finalStage().environment()).containsExactly(Map.entry("LEGACY", "some value"));
    }

    @Test
    void dockerignoreParserLetsTheLastMatchingLineDecide() {
        DockerIgnore ignore = DockerIgnore.parse("deploy\n!deploy/docker/mapgate.conf\n**/*.log\n");

        assertThat(ignore.excludes("deploy/systemd/mapgate.service")).isTrue();
        assertThat(ignore.excludes("deploy/docker/mapgate.conf")).isFalse();
        assertThat(ignore.excludes("build.log")).isTrue();
        assertThat(ignore.excludes("a/b/build.log")).isTrue();
        assertThat(ignore.excludes("deployment")).isFalse();
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** The image's config with the Dockerfile's ENV and what a user adds with -e. */
    private Settings loadImageConfig(Map<String, String> userEnv) {
        Map<String, String> env = new HashMap<>(runtime.environment());
        env.putAll(userEnv);
        return SettingsWithEnvironment.load(IMAGE_CONFIG, env);
    }

    private Path tokenFile() throws IOException {
        return Files.writeString(dir.resolve("sentry-token"), TOKEN + "\n");
    }

    private static String firstSentryAddress() {
        return DeployFiles.reference().getStringList("ip-ranges.sentry-us").get(0).replaceFirst("/\\d+$", "");
    }

    private Instruction jarCopy() {
        return runtime.copyFrom("build", ".jar")
                .orElseThrow(() -> new AssertionError("the final stage copies no jar from the build stage"));
    }

    private Instruction configCopy() {
        return runtime.all("COPY").stream().filter(i -> i.operands().get(0).equals(IMAGE_CONFIG.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("the final stage does not copy " + IMAGE_CONFIG));
    }

    private List<String> execForm(String keyword) {
        Instruction instruction = runtime.last(keyword).orElseThrow(() -> new AssertionError("no " + keyword));
        return instruction.execForm().orElseThrow(() -> new AssertionError(
                "line " + instruction.line() + ": " + keyword + " in shell form: sh would be PID 1 and swallow SIGTERM"));
    }

    /** The value of {@code option} in the jre stage's jlink command: {@code --option value} or {@code --option=value}. */
    private String jlinkOption(String option) {
        Instruction jlink = dockerfile.stage("jre").all("RUN").stream()
                .filter(r -> r.arguments().startsWith("jlink "))
                .findFirst().orElseThrow(() -> new AssertionError("the jre stage runs no jlink"));
        Matcher m = Pattern.compile(Pattern.quote(option) + "[ =](\"[^\"]*\"|\\S+)").matcher(jlink.arguments());
        assertThat(m.find()).as("jlink %s in: %s", option, jlink.arguments()).isTrue();
        return m.group(1);
    }

    /** The words of the {@code mvn ... <goal>} command in the first code block of the README. */
    private static List<String> readmePackageCommand() {
        Matcher block = Pattern.compile("```\\w*\\R(.*?)```", Pattern.DOTALL).matcher(read(Path.of("README.md")));
        assertThat(block.find()).as("README has a code block").isTrue();
        for (String command : block.group(1).split("&&|;|\\R")) {
            List<String> words = words(command.replaceFirst("#.*", ""));
            if (!words.isEmpty() && words.get(0).equals("mvn") && words.contains("package")) {
                return words;
            }
        }
        throw new AssertionError("no mvn ... package in README's first code block: " + block.group(1));
    }

    /** The words of the {@code mvn} command in a RUN of {@code stage} that runs {@code goal}. */
    private static List<String> mavenRun(Stage stage, String goal) {
        for (Instruction run : stage.all("RUN")) {
            for (String command : run.arguments().split("&&|;")) {
                List<String> words = words(command);
                if (!words.isEmpty() && words.get(0).equals("mvn") && words.contains(goal)) {
                    return words;
                }
            }
        }
        throw new AssertionError("no RUN mvn ... " + goal + " in stage " + stage.name());
    }

    private static List<String> goals(List<String> mvn) {
        return mvn.subList(1, mvn.size()).stream().filter(w -> !w.startsWith("-")).toList();
    }

    private static List<String> words(String command) {
        String trimmed = command.strip();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }

    private static int indexOf(List<Instruction> steps, Predicate<Instruction> which) {
        return IntStream.range(0, steps.size()).filter(i -> which.test(steps.get(i))).findFirst().orElse(-1);
    }

    private static String pomFinalName() {
        return pomElement("finalName");
    }

    private static String pomProperty(String name) {
        return pomElement(Pattern.quote(name));
    }

    private static String pomElement(String name) {
        Matcher m = Pattern.compile("<" + name + ">\\s*([^<\\s]+)\\s*</").matcher(read(Path.of("pom.xml")));
        assertThat(m.find()).as("pom.xml has <%s>", name).isTrue();
        return m.group(1);
    }
}
