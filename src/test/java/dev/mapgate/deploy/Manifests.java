package dev.mapgate.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Kubernetes objects read strictly from YAML into fabric8's typed model, so that a misspelt or
 * misplaced field fails the test instead of vanishing the way the API server would drop it.
 *
 * <p>Two checks, because each misses what the other catches: fabric8's classes keep unknown
 * fields in {@code additionalProperties} (a {@code @JsonAnySetter}), which is switched off here so
 * that {@code FAIL_ON_UNKNOWN_PROPERTIES} bites; and Jackson quietly coerces scalars (an annotation
 * {@code true} into {@code "true"}, a port {@code "8080"} into 8080) that the API server refuses, so
 * every object is written back and compared with what was read.
 */
final class Manifests {

    /** The apiVersion and kind of every object the examples may hold. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1 Deployment", Deployment.class,
            "v1 Service", Service.class,
            "v1 ConfigMap", ConfigMap.class,
            "v1 Secret", Secret.class,
            "autoscaling/v2 HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1 PodDisruptionBudget", PodDisruptionBudget.class);

    /** A key written twice in one mapping is an error, not "the last one wins". */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private static final ObjectMapper STRICT = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE;
                }
            })
            .build();

    private static final ObjectMapper WRITER = new ObjectMapper();

    private final List<HasMetadata> objects;

    private Manifests(List<HasMetadata> objects) {
        this.objects = List.copyOf(objects);
    }

    /** {@code kubectl kustomize dir}, read strictly. */
    static Manifests render(Path kubectl, Path dir) {
        return parse(kustomize(kubectl, dir));
    }

    /** The YAML {@code kubectl kustomize dir} prints. */
    static String kustomize(Path kubectl, Path dir) {
        try {
            Path stderr = Files.createTempFile("kustomize", ".err");
            try {
                Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                        .redirectError(stderr.toFile())
                        .start();
                process.getOutputStream().close();
                String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("kubectl kustomize " + dir + " did not finish within 60s");
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError("kubectl kustomize " + dir + " failed (exit " + process.exitValue()
                            + "): " + Files.readString(stderr, StandardCharsets.UTF_8).strip());
                }
                return yaml;
            } finally {
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Each YAML document of {@code yaml} as a tree, as written. */
    static List<JsonNode> documents(String yaml) {
        List<JsonNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (values.hasNext()) {
                JsonNode document = values.next();
                if (document != null && !document.isMissingNode() && !document.isNull()) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("not YAML: " + e.getMessage(), e);
        }
        return documents;
    }

    /** A file of one or more YAML documents. */
    static Manifests read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Manifests parse(String yaml) {
        return new Manifests(documents(yaml).stream().map(Manifests::strict).toList());
    }

    /** One object, typed by its apiVersion and kind, which must survive a round trip unchanged. */
    static HasMetadata strict(JsonNode document) {
        String kind = document.path("apiVersion").asText() + " " + document.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(kind);
        if (type == null) {
            throw new AssertionError("unexpected object " + kind + " (known: " + new TreeSet<>(KINDS.keySet()) + ")");
        }
        String name = kind + " " + document.path("metadata").path("name").asText();
        HasMetadata object;
        try {
            object = STRICT.treeToValue(document, type);
        } catch (JsonProcessingException e) {
            throw new AssertionError(name + ": " + e.getOriginalMessage() + " at " + e.getLocation()
                    + " (a misspelt or misplaced field?)", e);
        }
        List<String> differences = new ArrayList<>();
        compare("", document, WRITER.valueToTree(object), differences);
        if (!differences.isEmpty()) {
            throw new AssertionError(name + " does not read back as written (the API server would refuse or "
                    + "change it): " + String.join("; ", differences));
        }
        return object;
    }

    private static void compare(String path, JsonNode written, JsonNode read, List<String> differences) {
        if (written.isObject() && read.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            written.fieldNames().forEachRemaining(names::add);
            read.fieldNames().forEachRemaining(names::add);
            for (String field : names) {
                String at = path.isEmpty() ? field : path + "." + field;
                if (!read.has(field)) {
                    differences.add(at + " is in the file but not in the model");
                } else if (!written.has(field)) {
                    differences.add(at + " appears only when written back");
                } else {
                    compare(at, written.get(field), read.get(field), differences);
                }
            }
        } else if (written.isArray() && read.isArray()) {
            if (written.size() != read.size()) {
                differences.add(path + " has " + written.size() + " entries in the file, " + read.size() + " read");
                return;
            }
            Iterator<JsonNode> w = written.elements();
            Iterator<JsonNode> r = read.elements();
            for (int i = 0; w.hasNext(); i++) {
                compare(path + "[" + i + "]", w.next(), r.next(), differences);
            }
        } else if (written.isNumber() && read.isNumber()) {
            // An int field written back as a long is the same number.
            if (written.decimalValue().compareTo(read.decimalValue()) != 0) {
                differences.add(path + ": " + written + " in the file, " + read + " read");
            }
        } else if (!written.equals(read)) {
            differences.add(path + ": " + describe(written) + " in the file, " + describe(read) + " read");
        }
    }

    private static String describe(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT) + " " + node;
    }

    List<HasMetadata> all() {
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The only object of {@code type}. */
    <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    <T extends HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream()
                .filter(o -> name.equals(o.getMetadata().getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name
                        + " among " + all(type).stream().map(o -> o.getMetadata().getName()).toList()));
    }
}
