package dev.mapgate.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files one container sees through its volume mounts, laid out under a host folder as the
 * kubelet would lay them out in the container: each ConfigMap or Secret key a file under its
 * mount path (or only the listed items), a {@code subPath} mount a single file, an emptyDir an
 * empty folder. A file no mount provides is simply not there, as in the container, whose root
 * filesystem is read-only.
 */
final class PodFiles {

    /** One volume mount of the container and the volume behind it. */
    record Mount(String path, Volume volume, String subPath) {

        boolean covers(String containerPath) {
            return containerPath.equals(path) || containerPath.startsWith(path.endsWith("/") ? path : path + "/");
        }
    }

    /** A double-quoted HOCON string holding an absolute path. */
    private static final Pattern QUOTED_ABSOLUTE_PATH = Pattern.compile("\"(/[^\"\\\\]*)\"");

    private final Path root;
    private final List<Mount> mounts;

    private PodFiles(Path root, List<Mount> mounts) {
        this.root = root;
        this.mounts = List.copyOf(mounts);
    }

    /**
     * @param objects the rendered kustomization, for the ConfigMaps
     * @param secrets where the Secrets come from (they are not part of the kustomization)
     */
    static PodFiles lay(Path root, PodSpec pod, Container container, Manifests objects, Manifests secrets) {
        List<Mount> mounts = new ArrayList<>();
        for (VolumeMount volumeMount : container.getVolumeMounts()) {
            Volume volume = pod.getVolumes().stream()
                    .filter(v -> v.getName().equals(volumeMount.getName()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("container " + container.getName() + " mounts volume "
                            + volumeMount.getName() + ", which the pod does not define"));
            Mount mount = new Mount(volumeMount.getMountPath(), volume, volumeMount.getSubPath());
            lay(root, mount, objects, secrets);
            mounts.add(mount);
        }
        return new PodFiles(root, mounts);
    }

    private static void lay(Path root, Mount mount, Manifests objects, Manifests secrets) {
        Volume volume = mount.volume();
        Map<String, String> files;
        if (volume.getConfigMap() != null) {
            ConfigMap configMap = objects.named(ConfigMap.class, volume.getConfigMap().getName());
            files = select(configMap.getData(), volume.getConfigMap().getItems());
        } else if (volume.getSecret() != null) {
            Secret secret = secrets.named(Secret.class, volume.getSecret().getSecretName());
            files = select(secretData(secret), volume.getSecret().getItems());
        } else if (volume.getEmptyDir() != null) {
            files = Map.of();
        } else {
            throw new AssertionError("volume " + volume.getName() + ": only configMap, secret and emptyDir volumes are "
                    + "laid out by this test");
        }
        Path target = root.resolve(mount.path().substring(1));
        try {
            if (mount.subPath() != null && !mount.subPath().isEmpty()) {
                String content = files.get(mount.subPath());
                if (content == null) {
                    throw new AssertionError("mount " + mount.path() + ": subPath " + mount.subPath()
                            + " is not a file of volume " + volume.getName() + " " + files.keySet());
                }
                Files.createDirectories(target.getParent());
                Files.writeString(target, content, StandardCharsets.UTF_8);
                return;
            }
            Files.createDirectories(target);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = target.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every key of the Secret with its value, from {@code stringData} and (base64) {@code data}. */
    static Map<String, String> secretData(Secret secret) {
        Map<String, String> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) ->
                    data.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            data.putAll(secret.getStringData());
        }
        return data;
    }

    /** File name to content: every key, or only the listed items under their paths. */
    private static Map<String, String> select(Map<String, String> data, List<KeyToPath> items) {
        Map<String, String> all = data == null ? Map.of() : data;
        if (items == null || items.isEmpty()) {
            return all;
        }
        Map<String, String> files = new LinkedHashMap<>();
        for (KeyToPath item : items) {
            if (!all.containsKey(item.getKey())) {
                throw new AssertionError("item " + item.getKey() + " is not a key of the volume's source "
                        + all.keySet());
            }
            files.put(item.getPath(), all.get(item.getKey()));
        }
        return files;
    }

    List<Mount> mounts() {
        return mounts;
    }

    /** Where a file the container sees at {@code containerPath} lies on this host. */
    Path host(String containerPath) {
        return root.resolve(containerPath.substring(1));
    }

    /** The container's path for a file laid out on this host. */
    String container(Path hostPath) {
        return "/" + root.relativize(hostPath.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }

    /** The mount a container path lies under, the innermost one if mounts nest. */
    Optional<Mount> mountOf(String containerPath) {
        return mounts.stream()
                .filter(m -> m.covers(containerPath))
                .max(Comparator.comparingInt(m -> m.path().length()));
    }

    /**
     * Points every quoted absolute path in a HOCON text that lies under one of the mounts at its
     * copy on this host. A path under no mount is left as it is, so it is missing here as it would
     * be in the container.
     */
    String onHost(String hocon) {
        Matcher matcher = QUOTED_ABSOLUTE_PATH.matcher(hocon);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String path = matcher.group(1);
            String replacement = mountOf(path).isPresent() ? "\"" + host(path) + "\"" : matcher.group();
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
