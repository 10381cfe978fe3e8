package dev.mapgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mapgate.config.ConfigProblem;
import dev.mapgate.config.PodSettings;
import dev.mapgate.config.Settings;
import dev.mapgate.server.MapgateServer;
import dev.mapgate.testing.HttpOrigin;
import dev.mapgate.testing.NginxOrigin;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RequiredTools;
import dev.mapgate.testing.ResponseReader;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes examples under deploy/kubernetes, rendered by {@code kubectl kustomize} as a user
 * would apply them, read strictly into Kubernetes' typed model, and checked against the config
 * mapgate actually loads from them: the wiring between the YAML and mapgate.conf is what breaks
 * silently when one side is edited.
 */
class KubernetesManifestsTest {

    private static final Path EXAMPLES = Path.of("deploy", "kubernetes");

    /** Where the image's {@code --config} points. */
    private static final String CONFIG_PATH = "/etc/mapgate/mapgate.conf";

    /** The image's non-root user. */
    private static final long IMAGE_USER = 10001;

    /** How long /healthz waits for the I/O threads before answering 503 (MapgateServer.EVENT_LOOP_ANSWER). */
    private static final Duration HEALTH_CHECK_WAIT = Duration.ofSeconds(2);

    private static final YAMLMapper YAML = new YAMLMapper();

    /** The value secret.yaml holds, which users are told to replace with their own. */
    private static final String PLACEHOLDER = "REPLACE-ME-this-placeholder-is-public";

    /** A value of the user's own, as `openssl rand -hex 32` makes it. */
    private static final String USERS_TOKEN = "3b8f0c6e2a9d4f17b5c0e8a2d6f4b1c93e7a5d0f2b8c6e4a1d9f3b7c5e0a2d8f";

    @TempDir
    static Path podRoots;

    private static final Map<String, Example> EXAMPLES_RENDERED = new ConcurrentHashMap<>();

    /**
     * One example as the cluster and mapgate would see it.
     *
     * @param objects  what {@code kubectl kustomize} renders
     * @param secrets  the example's secret.yaml, which stands for the Secret users create themselves
     * @param files    the mapgate container's mounts, laid out on this host
     * @param settings mapgate's config, loaded from those files with the container's environment
     */
    private record Example(String name, Manifests objects, Manifests secrets, Deployment deployment,
                           Container mapgate, PodFiles files, Settings settings) {

        PodSpec pod() {
            return deployment.getSpec().getTemplate().getSpec();
        }

        Map<String, String> podLabels() {
            return deployment.getSpec().getTemplate().getMetadata().getLabels();
        }

        Container container(String containerName) {
            return pod().getContainers().stream()
                    .filter(c -> c.getName().equals(containerName))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": no container " + containerName));
        }

        Volume volume(String volumeName) {
            return pod().getVolumes().stream()
                    .filter(v -> v.getName().equals(volumeName))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": no volume " + volumeName));
        }
    }

    private static Example example(String name) {
        return EXAMPLES_RENDERED.computeIfAbsent(name, KubernetesManifestsTest::load);
    }

    /** The example with its Secret as users create it: secret.yaml's shape, a value of their own. */
    private static Example load(String name) {
        return load(name, shippedSecret(name).replace(PLACEHOLDER, USERS_TOKEN));
    }

    private static String shippedSecret(String name) {
        try {
            return Files.readString(EXAMPLES.resolve(name).resolve("secret.yaml"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Example load(String name, String secretYaml) {
        Path dir = EXAMPLES.resolve(name);
        Manifests objects = Manifests.render(RequiredTools.kubectl(), dir);
        Manifests secrets = Manifests.parse(secretYaml);
        Deployment deployment = objects.one(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container mapgate = pod.getContainers().stream()
                .filter(c -> c.getName().equals("mapgate"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + ": no container named mapgate"));
        try {
            PodFiles files = PodFiles.lay(Files.createTempDirectory(podRoots, name), pod, mapgate, objects, secrets);
            Path config = files.host(CONFIG_PATH);
            assertThat(config).as("%s: the image reads %s, so a mount must provide it", name, CONFIG_PATH)
                    .isRegularFile();
            // Absolute paths in the config (the token file) point at this host's copy of the mounts.
            Files.writeString(config, files.onHost(Files.readString(config, StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8);
            try {
                Settings settings = PodSettings.load(config, environment(mapgate));
                return new Example(name, objects, secrets, deployment, mapgate, files, settings);
            } catch (ConfigProblem problem) {
                throw new AssertionError(name + ": mapgate would not start: " + problem.getMessage()
                        + " (paths under the container's mounts " + files.mounts().stream().map(PodFiles.Mount::path)
                        .toList() + " were pointed at their copies in " + files.host("/") + ")", problem);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The container's literal environment variables. */
    private static Map<String, String> environment(Container container) {
        Map<String, String> env = new HashMap<>();
        for (EnvVar variable : container.getEnv()) {
            assertThat(variable.getValueFrom())
                    .as("env %s of %s: only literal values are checked by this test", variable.getName(),
                            container.getName())
                    .isNull();
            env.put(variable.getName(), variable.getValue());
        }
        return env;
    }

    // --- both examples ---------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void rendersIntoKubernetesObjectsThatReadBackExactlyAsWritten(String name) {
        Example example = example(name);

        assertThat(example.objects().all()).as("%s: the rendered objects", name)
                .extracting(HasMetadata::getKind)
                .contains("Deployment", "Service", "ConfigMap")
                .doesNotContain("Secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void configFromTheConfigMapPassesTheValidationMapgateRunDoes(String name) {
        Example example = example(name);

        assertThat(example.files().mountOf(CONFIG_PATH))
                .as("%s: %s comes from a ConfigMap", name, CONFIG_PATH)
                .hasValueSatisfying(mount -> assertThat(mount.volume().getConfigMap()).isNotNull());
        assertThat(example.settings().warnings()).as("%s: startup warnings", name).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void secretYamlsPlaceholderAppliedAsShippedIsWarnedAboutAsPublic(String name) {
        assertThat(shippedSecret(name)).as("%s: secret.yaml still holds the value check-config knows", name)
                .contains(PLACEHOLDER);

        Example asShipped = load(name, shippedSecret(name));

        assertThat(asShipped.settings().warnings()).as("%s: a pod that listens beyond loopback with the placeholder", name)
                .singleElement().asString().contains("token 'sentry' is the public example value")
                .doesNotContain(PLACEHOLDER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void listenersBindToThePodAddressNotLoopback(String name) throws IOException {
        Settings settings = example(name).settings();

        assertThat(InetAddress.getByName(settings.listen().host()).isLoopbackAddress())
                .as("%s: listen.host %s must be reachable through the Service", name, settings.listen().host())
                .isFalse();
        assertThat(InetAddress.getByName(settings.admin().host()).isLoopbackAddress())
                .as("%s: admin.host %s must be reachable by the kubelet's probes and Prometheus", name,
                        settings.admin().host())
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void containerPortsAreTheListenerAndAdminPorts(String name) {
        Example example = example(name);

        assertThat(containerPort(example.mapgate(), new IntOrString("http")))
                .as("%s: containerPort http is listen.port", name)
                .isEqualTo(example.settings().listen().port());
        assertThat(containerPort(example.mapgate(), new IntOrString("admin")))
                .as("%s: containerPort admin is admin.port", name)
                .isEqualTo(example.settings().admin().port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void serviceSendsTrafficToTheListenerOnlyAndSelectsThePods(String name) {
        Example example = example(name);
        Service service = example.objects().one(Service.class);

        assertThat(service.getSpec().getPorts()).as("%s: Service ports", name).isNotEmpty();
        for (ServicePort port : service.getSpec().getPorts()) {
            assertThat(containerPort(example.mapgate(), port.getTargetPort()))
                    .as("%s: Service port %s targets listen.port (never the admin port, whose metrics are "
                            + "for Prometheus only)", name, port.getName())
                    .isEqualTo(example.settings().listen().port());
        }
        assertThat(example.podLabels()).as("%s: pod labels include the Service's selector", name)
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(example.podLabels()).as("%s: pod labels include the Deployment's selector", name)
                .containsAllEntriesOf(example.deployment().getSpec().getSelector().getMatchLabels());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void livenessAndStartupProbesAskTheAdminListenerForHealth(String name) {
        Example example = example(name);
        Container mapgate = example.mapgate();
        int adminPort = example.settings().admin().port();

        Probe liveness = mapgate.getLivenessProbe();
        assertThat(liveness).as("%s: liveness probe", name).isNotNull();
        assertThat(httpGet(liveness).getPath()).as("%s: liveness path", name).isEqualTo("/healthz");
        assertThat(containerPort(mapgate, httpGet(liveness).getPort())).as("%s: liveness port", name)
                .isEqualTo(adminPort);
        assertThat(Duration.ofSeconds(orDefault(liveness.getTimeoutSeconds(), 1)))
                .as("%s: liveness timeoutSeconds must outlast /healthz's own wait, or a stuck I/O thread "
                        + "shows up as a timeout instead of a 503", name)
                .isGreaterThan(HEALTH_CHECK_WAIT);

        Probe startup = mapgate.getStartupProbe();
        if (startup != null) {
            assertThat(httpGet(startup).getPath()).as("%s: startup path", name).isEqualTo("/healthz");
            assertThat(containerPort(mapgate, httpGet(startup).getPort())).as("%s: startup port", name)
                    .isEqualTo(adminPort);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void readinessProbeSeesADrainingPodWithinTheDrainDelay(String name) {
        Example example = example(name);
        Container mapgate = example.mapgate();
        Probe readiness = mapgate.getReadinessProbe();

        assertThat(readiness).as("%s: readiness probe", name).isNotNull();
        assertThat(httpGet(readiness).getPath()).as("%s: readiness path", name).isEqualTo("/readyz");
        assertThat(containerPort(mapgate, httpGet(readiness).getPort())).as("%s: readiness port", name)
                .isEqualTo(example.settings().admin().port());
        Duration noticed = Duration.ofSeconds((long) orDefault(readiness.getPeriodSeconds(), 10)
                * orDefault(readiness.getFailureThreshold(), 3));
        assertThat(noticed)
                .as("%s: periodSeconds x failureThreshold: /readyz turns 503 when draining starts, and the pod "
                        + "should leave the endpoints while mapgate still accepts (shutdown.drain-delay)", name)
                .isLessThanOrEqualTo(example.settings().shutdown().drainDelay());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void terminationGracePeriodOutlastsDrainDelayAndGrace(String name) {
        Example example = example(name);
        Duration drain = drainAndGrace(example);

        assertThat(Duration.ofSeconds(orDefault(example.pod().getTerminationGracePeriodSeconds(), 30L)))
                .as("%s: terminationGracePeriodSeconds vs shutdown.drain-delay + shutdown.grace (%s): the "
                        + "kubelet must not kill mapgate while it drains", name, drain)
                .isGreaterThan(drain);
        assertThat(example.mapgate().getLifecycle())
                .as("%s: mapgate drains on SIGTERM by itself; a preStop hook would only delay it", name)
                .isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void theTokenFileMapgateReadsComesFromTheSecret(String name) {
        Example example = example(name);
        Secret secret = example.secrets().one(Secret.class);
        List<Path> tokenFiles = example.settings().sources().stream()
                .filter(source -> !example.files().container(source).equals(CONFIG_PATH))
                .toList();

        assertThat(tokenFiles).as("%s: files the config reads besides itself", name).isNotEmpty();
        for (Path file : tokenFiles) {
            String path = example.files().container(file);
            PodFiles.Mount mount = example.files().mountOf(path)
                    .orElseThrow(() -> new AssertionError(name + ": " + path + " lies under no mount"));
            assertThat(mount.volume().getSecret())
                    .as("%s: %s is mounted from a Secret", name, path)
                    .isNotNull();
            assertThat(mount.volume().getSecret().getSecretName()).as("%s: Secret of %s", name, path)
                    .isEqualTo(secret.getMetadata().getName());
            assertThat(mount.subPath())
                    .as("%s: a subPath mount would never see the Secret change, so no token rotation", name)
                    .isNullOrEmpty();
            assertThat(PodFiles.secretData(secret)).as("%s: keys of Secret %s", name, secret.getMetadata().getName())
                    .containsKey(path.substring(mount.path().length()).replaceFirst("^/", ""));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void applyingTheExampleLeavesTheRealSecretAloneAndSetsTheImageInOneLine(String name) throws IOException {
        JsonNode kustomization = YAML.readTree(EXAMPLES.resolve(name).resolve("kustomization.yaml").toFile());
        Container mapgate = example(name).mapgate();

        assertThat(kustomization.path("resources")).extracting(JsonNode::asText)
                .as("%s: resources (secret.yaml's placeholder would overwrite the user's token)", name)
                .isNotEmpty()
                .doesNotContain("secret.yaml");
        JsonNode image = StreamSupport.stream(kustomization.path("images").spliterator(), false)
                .filter(i -> i.path("name").asText().equals("mapgate"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + ": kustomization.yaml sets no image named mapgate"));
        String tag = image.path("newName").asText() + ":" + image.path("newTag").asText();
        assertThat(mapgate.getImage()).as("%s: the rendered mapgate image", name).isEqualTo(tag);
        assertThat(Files.readString(DeployFiles.DEPLOYMENT_GUIDE))
                .as("%s: the deployment guide's build command tags the image that kustomization.yaml deploys", name)
                .contains("docker build -f deploy/docker/Dockerfile -t " + tag + " .");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void everyContainerRunsUnprivilegedOnAReadOnlyRootWithAWritableTmp(String name) {
        Example example = example(name);
        PodSpec pod = example.pod();

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).as("%s: pod runAsNonRoot", name).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as("%s: pod seccompProfile", name)
                .isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).as("%s: no API token in a pod that never uses it", name)
                .isFalse();
        assertThat(pod.getContainers()).as("%s: containers", name).isNotEmpty();
        for (Container container : pod.getContainers()) {
            String what = name + ": container " + container.getName();
            SecurityContext security = container.getSecurityContext();
            assertThat(security).as("%s securityContext", what).isNotNull();
            assertThat(security.getReadOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", what).isTrue();
            assertThat(security.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", what).isFalse();
            assertThat(security.getCapabilities().getDrop()).as("%s capabilities.drop", what).containsExactly("ALL");
            assertThat(security.getCapabilities().getAdd()).as("%s capabilities.add", what).isNullOrEmpty();
            Long user = orDefault(security.getRunAsUser(), pod.getSecurityContext().getRunAsUser());
            assertThat(user).as("%s runAsUser", what).isNotNull().isNotZero();
            assertThat(container.getVolumeMounts())
                    .as("%s: the JVM and Netty (and nginx) write to /tmp, so it must be an emptyDir", what)
                    .anySatisfy(mount -> {
                        assertThat(mount.getMountPath()).isEqualTo("/tmp");
                        assertThat(example.volume(mount.getName()).getEmptyDir()).isNotNull();
                    });
        }
        assertThat(example.mapgate().getSecurityContext().getRunAsUser())
                .as("%s: mapgate runs as the image's user", name)
                .isEqualTo(IMAGE_USER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void prometheusScrapesTheAdminListener(String name) {
        Example example = example(name);
        Map<String, String> annotations = example.deployment().getSpec().getTemplate().getMetadata().getAnnotations();

        assertThat(annotations).as("%s: pod annotations", name)
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", String.valueOf(example.settings().admin().port()))
                .containsEntry("prometheus.io/path", "/metrics");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void mapgateHasAMemoryLimitACpuRequestAndJsonLogs(String name) {
        Container mapgate = example(name).mapgate();

        assertThat(mapgate.getResources().getRequests()).as("%s: requests (the scheduler places pods by them)", name)
                .containsKeys("cpu", "memory");
        assertThat(mapgate.getResources().getLimits()).as("%s: limits", name).containsKey("memory");
        assertThat(environment(mapgate)).as("%s: env", name)
                .containsEntry("MAPGATE_LOG_FORMAT", "json")
                .containsKey("JAVA_TOOL_OPTIONS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void noServiceOfTheNamespaceLeaksIntoMapgatesEnvironment(String name) {
        assertThat(example(name).pod().getEnableServiceLinks())
                .as("%s: enableServiceLinks; a Service named mapgate-listen would set MAPGATE_LISTEN_PORT", name)
                .isFalse();
    }

    // --- sidecar ---------------------------------------------------------------------------------

    @Test
    void sidecarOriginIsTheNginxContainerListeningOnLoopbackOnly() {
        Example example = example("sidecar");
        NginxConf nginx = sidecarNginx(example);
        URI origin = example.settings().origin().url();

        assertThat(origin).as("origin.url").isNotNull();
        assertThat(origin.getScheme()).isEqualTo("http");
        assertThat(origin.getHost()).as("origin.url host: nginx shares the pod's loopback").isEqualTo("127.0.0.1");
        assertThat(nginx.all("listen"))
                .as("nginx listens on origin.url's address alone, so nothing outside the pod bypasses the gate")
                .containsExactly("127.0.0.1:" + origin.getPort());
        assertThat(origin.getPort()).as("nginx's port must not be one of mapgate's")
                .isNotIn(example.settings().listen().port(), example.settings().admin().port());
        assertThat(example.container("assets").getPorts()).as("the assets container publishes no port").isEmpty();
    }

    @Test
    void sidecarNginxWritesOnlyToItsEmptyDir() {
        Example example = example("sidecar");
        NginxConf nginx = sidecarNginx(example);
        PodFiles files = nginxFiles(example);

        for (String directive : List.of("pid", "client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path",
                "uwsgi_temp_path", "scgi_temp_path")) {
            // Without the directive nginx uses a compiled-in path on the read-only root filesystem.
            String path = nginx.one(directive).split("\\s+")[0];
            assertThat(files.mountOf(path))
                    .as("nginx %s %s lies in an emptyDir", directive, path)
                    .hasValueSatisfying(mount -> assertThat(mount.volume().getEmptyDir()).isNotNull());
        }
    }

    @Test
    void sidecarNginxStaysUpUntilMapgateHasDrained() {
        Example example = example("sidecar");
        List<String> preStop = example.container("assets").getLifecycle().getPreStop().getExec().getCommand();

        assertThat(preStop).as("nginx's preStop hook").hasSize(2).startsWith("sleep");
        Duration sleep = Duration.ofSeconds(Long.parseLong(preStop.get(1)));
        assertThat(sleep).as("nginx's preStop sleep: mapgate may still proxy for drain-delay + grace after SIGTERM")
                .isGreaterThanOrEqualTo(drainAndGrace(example));
        assertThat(sleep).as("nginx's preStop sleep leaves nginx time to quit within terminationGracePeriodSeconds")
                .isLessThan(Duration.ofSeconds(example.pod().getTerminationGracePeriodSeconds()));
    }

    @Test
    void sidecarNginxKeepsIdleConnectionsLongerThanMapgatesPool() {
        Example example = example("sidecar");
        Duration keepAlive = NginxConf.time(sidecarNginx(example).one("keepalive_timeout").split("\\s+")[0]);

        assertThat(keepAlive)
                .as("nginx keepalive_timeout vs origin.pool-idle-timeout: if nginx closed first, mapgate could "
                        + "send a request on a connection nginx is closing")
                .isGreaterThan(example.settings().origin().poolIdleTimeout());
    }

    private static PodFiles nginxFiles(Example example) {
        try {
            return PodFiles.lay(Files.createTempDirectory(podRoots, "assets"), example.pod(),
                    example.container("assets"), example.objects(), example.secrets());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The nginx config the assets container reads. */
    private static NginxConf sidecarNginx(Example example) {
        return new NginxConf(sidecarNginxText(example));
    }

    private static String sidecarNginxText(Example example) {
        Path conf = nginxFiles(example).host("/etc/nginx/nginx.conf");
        assertThat(conf).as("a mount provides /etc/nginx/nginx.conf to the assets container").isRegularFile();
        try {
            return Files.readString(conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void sidecarNginxConfigAsShippedServesTheAssetsBehindTheGate(@TempDir Path dir) throws Exception {
        Example example = example("sidecar");
        String shipped = sidecarNginxText(example);
        URI origin = example.settings().origin().url();
        Path site = Files.createDirectories(dir.resolve("html"));
        Files.writeString(site.resolve("index.html"), "<p>assets</p>\n");
        Files.writeString(site.resolve("app.js"), "console.log(1);\n//# sourceMappingURL=app.js.map\n");
        Files.writeString(site.resolve("app.js.map"), "{\"version\":3,\"sources\":[\"secret.ts\"]}\n");
        Files.createDirectories(site.resolve("docs"));
        Files.writeString(site.resolve("docs").resolve("index.html"), "<p>docs</p>\n");
        Path work = dir.resolve("nginx");
        String token = PodFiles.secretData(example.secrets().one(Secret.class)).values().iterator().next();

        try (HttpOrigin nginx = NginxOrigin.startWith(RequiredTools.nginx(), site, work, "/index.html",
                     port -> runnableHere(shipped, origin, port, site, work));
             MapgateServer mapgate = MapgateServer.start(PodSettings.load(example.files().host(CONFIG_PATH), Map.of(
                     // The shipped config with loopback and free ports, in front of this nginx.
                     "MAPGATE_LISTEN_HOST", "127.0.0.1", "MAPGATE_LISTEN_PORT", "0",
                     "MAPGATE_ADMIN_HOST", "127.0.0.1", "MAPGATE_ADMIN_PORT", "0",
                     "MAPGATE_ORIGIN_URL", nginx.url())));
             RawClient client = RawClient.connect(mapgate.address())) {
            ResponseReader.Response script = client.get("/app.js");
            assertThat(script.status()).as("an asset through mapgate and the shipped nginx.conf").isEqualTo(200);
            assertThat(script.bodyText()).contains("sourceMappingURL");

            ResponseReader.Response directory = client.get("/docs");
            assertThat(directory.status()).as("a directory without its slash").isEqualTo(301);
            assertThat(directory.header("Location"))
                    .as("absolute_redirect off: nginx only knows itself as 127.0.0.1, which no client can reach")
                    .isEqualTo("/docs/");

            ResponseReader.Response map = client.get("/app.js.map", "X-Sentry-Token: " + token);
            assertThat(map.status()).as("a map with the token, but from 127.0.0.1, not one of Sentry's addresses")
                    .isEqualTo(404);
            assertThat(map.bodyText()).doesNotContain("secret.ts");
        }
    }

    /** The shipped nginx.conf, run by Debian's nginx as the test's child, on {@code port}. */
    private static String runnableHere(String shipped, URI origin, int port, Path site, Path work) {
        // pid and temp paths: the emptyDir at /tmp in the pod. First, as the test's own folders may
        // lie in /tmp too.
        String config = "daemon off;\nmaster_process off;\n" + shipped.replace(" /tmp/", " " + work + "/");
        config = replaceOnce(config, "listen " + origin.getHost() + ":" + origin.getPort() + ";",
                "listen 127.0.0.1:" + port + ";");
        return replaceOnce(config, "root /usr/share/nginx/html;", "root " + site + ";");
    }

    private static String replaceOnce(String text, String target, String replacement) {
        assertThat(text).as("the shipped nginx.conf").containsOnlyOnce(target);
        return text.replace(target, replacement);
    }

    // --- standalone ------------------------------------------------------------------------------

    @Test
    void standaloneAutoscalerScalesTheDeploymentOnCpu() {
        Example example = example("standalone");
        HorizontalPodAutoscaler hpa = example.objects().one(HorizontalPodAutoscaler.class);

        assertThat(hpa.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).as("the HPA's target")
                .isEqualTo(example.deployment().getMetadata().getName());
        assertThat(hpa.getSpec().getMinReplicas()).as("minReplicas: one pod is no gate during a node drain")
                .isGreaterThanOrEqualTo(2);
        assertThat(hpa.getSpec().getMetrics()).extracting(MetricSpec::getType, m -> m.getResource().getName())
                .as("HPA metrics")
                .contains(tuple("Resource", "cpu"));
        assertThat(example.deployment().getSpec().getReplicas())
                .as("Deployment replicas: set, they would reset the HPA's count at every apply")
                .isNull();
    }

    @Test
    void standaloneAutoscalerWaitsForRealLoadBeforeAddingAPod() {
        Example example = example("standalone");
        MetricTarget target = example.objects().one(HorizontalPodAutoscaler.class).getSpec().getMetrics().stream()
                .filter(m -> "Resource".equals(m.getType()) && "cpu".equals(m.getResource().getName()))
                .findFirst().orElseThrow().getResource().getTarget();
        BigDecimal cores = switch (target.getType()) {
            case "AverageValue" -> target.getAverageValue().getNumericalAmount();
            case "Utilization" -> example.mapgate().getResources().getRequests().get("cpu").getNumericalAmount()
                    .multiply(BigDecimal.valueOf(target.getAverageUtilization())).movePointLeft(2);
            default -> throw new AssertionError("CPU target of type " + target.getType());
        };
        // 70% of a 100m request once scaled out at 0.07 cores a pod: a few thousand requests a
        // second, ten pods where one would do.
        assertThat(cores).as("cores a pod averages before the HPA adds one").isGreaterThanOrEqualTo(new BigDecimal("0.5"));
    }

    @Test
    void standaloneDisruptionBudgetCoversThePodsAndLeavesRoomToEvict() {
        Example example = example("standalone");
        PodDisruptionBudget pdb = example.objects().one(PodDisruptionBudget.class);
        HorizontalPodAutoscaler hpa = example.objects().one(HorizontalPodAutoscaler.class);

        assertThat(example.podLabels()).as("pod labels include the PDB's selector")
                .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMinAvailable()).as("PDB minAvailable").isNotNull();
        assertThat(pdb.getSpec().getMinAvailable().getIntVal())
                .as("PDB minAvailable below the HPA's minReplicas, or no node could ever be drained")
                .isLessThan(hpa.getSpec().getMinReplicas());
        example.pod().getTopologySpreadConstraints().forEach(spread ->
                assertThat(example.podLabels()).as("pod labels include the topology spread's selector")
                        .containsAllEntriesOf(spread.getLabelSelector().getMatchLabels()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sidecar", "standalone"})
    void theLoadBalancerKeepsTheClientAddressTheGateChecks(String setup) {
        Service service = example(setup).objects().one(Service.class);

        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getExternalTrafficPolicy())
                .as("externalTrafficPolicy: Cluster would replace Sentry's address by a node's, and allow-ips "
                        + "would deny every map")
                .isEqualTo("Local");
    }

    // --- the strict reading itself ---------------------------------------------------------------

    @Test
    void aMisspeltFieldFailsTheReading() {
        ObjectNode deployment = renderedDeployment("sidecar");
        ObjectNode container = (ObjectNode) deployment.at("/spec/template/spec/containers/0");
        container.set("readinesProbe", container.remove("readinessProbe"));

        assertThatThrownBy(() -> Manifests.strict(deployment))
                .as("a Kubernetes API server drops an unknown field; the test must not")
                .hasMessageContaining("readinesProbe");
    }

    @Test
    void aFieldAtTheWrongLevelFailsTheReading() {
        ObjectNode deployment = renderedDeployment("standalone");
        ObjectNode pod = (ObjectNode) deployment.at("/spec/template/spec");
        ((ObjectNode) deployment.at("/spec/template/spec/containers/0"))
                .set("terminationGracePeriodSeconds", pod.remove("terminationGracePeriodSeconds"));

        assertThatThrownBy(() -> Manifests.strict(deployment)).hasMessageContaining("terminationGracePeriodSeconds");
    }

    @Test
    void aScalarOfTheWrongTypeFailsTheReading() {
        ObjectNode deployment = renderedDeployment("sidecar");
        // Unquoted in YAML: a boolean, which the API server refuses as an annotation value.
        ((ObjectNode) deployment.at("/spec/template/metadata/annotations")).put("prometheus.io/scrape", true);

        assertThatThrownBy(() -> Manifests.strict(deployment))
                .hasMessageContaining("annotations.prometheus.io/scrape");
    }

    private static ObjectNode renderedDeployment(String name) {
        Map<String, JsonNode> byKind = new LinkedHashMap<>();
        String yaml = Manifests.kustomize(RequiredTools.kubectl(), EXAMPLES.resolve(name));
        for (JsonNode document : Manifests.documents(yaml)) {
            byKind.put(document.path("kind").asText(), document);
        }
        ObjectNode deployment = (ObjectNode) byKind.get("Deployment");
        Manifests.strict(deployment);
        return deployment;
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static Duration drainAndGrace(Example example) {
        return example.settings().shutdown().drainDelay().plus(example.settings().shutdown().grace());
    }

    private static HTTPGetAction httpGet(Probe probe) {
        assertThat(probe.getHttpGet()).as("an httpGet probe").isNotNull();
        return probe.getHttpGet();
    }

    /** The port number a probe or Service target names, by number or by the container port's name. */
    private static int containerPort(Container container, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("container " + container.getName() + " has no port named "
                        + port.getStrVal()));
    }

    private static <T> T orDefault(T value, T kubernetesDefault) {
        return value != null ? value : kubernetesDefault;
    }
}
