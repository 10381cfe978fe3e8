package dev.mapgate.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A config that loaded, as {@code mapgate check-config} shows it.
 *
 * <p>Why the redaction below is complete: the loader accepts under {@code mapgate} only the keys
 * reference.conf defines (see {@link KnownKeys}), and the only ones among them that hold a secret
 * are fields of the token and Basic user entries. In those entries a field is shown only when it
 * is known to be harmless; {@code origin.url} cannot carry a user:password (the loader refuses
 * it). {@code mapgate.ip-ranges} is left out: it is a library of named lists, and the lists in use
 * already appear, resolved, where they are used.
 *
 * @param settings the validated settings, exactly as {@code mapgate run} would get them
 * @param hocon    the merged config (reference.conf, the file, {@code MAPGATE_*} variables, with
 *                 substitutions resolved) as HOCON under {@code mapgate { ... }}, secrets redacted
 */
public record EffectiveConfig(Settings settings, String hocon) {

    static final String REDACTED = "<redacted>";

    /**
     * Lists of entries, and the only fields of an entry that are shown. Every other field is
     * replaced: a token's value (wherever it came from, an environment variable included) and a
     * Basic user's password hash. A token file's path is not a secret and is shown.
     */
    private static final Map<String, Set<String>> SHOWN_FIELDS = ListSchema.ALL.stream()
            .collect(Collectors.toUnmodifiableMap(ListSchema::key, ListSchema::shown));

    /**
     * Keys that name a file or folder. They are shown resolved, as mapgate uses them: a relative
     * path is relative to the config file, not to where check-config was run, and that difference
     * is what an operator checking a config needs to see.
     */
    private static final List<String> PATHS = List.of("mapgate.listen.tls.certificate-chain",
            "mapgate.listen.tls.private-key", "mapgate.origin.directory", "mapgate.origin.tls.ca-file",
            "mapgate.gate.basic.htpasswd-file");

    /** The path field of a token entry. */
    private static final String TOKEN_FILE = "file";

    private static final ConfigRenderOptions HOCON = ConfigRenderOptions.defaults()
            .setOriginComments(false).setComments(false).setJson(false).setFormatted(true);

    /**
     * @param merged        the resolved config that {@code settings} were read from
     * @param baseDirectory the config file's folder, which relative paths are relative to
     */
    static EffectiveConfig redacted(Settings settings, Config merged, Path baseDirectory) {
        Config shown = merged.withOnlyPath("mapgate").withoutPath("mapgate.ip-ranges");
        for (String key : PATHS) {
            // The loader has checked that each one set is a valid path.
            if (shown.hasPath(key)) {
                shown = shown.withValue(key, ConfigValueFactory.fromAnyRef(
                        ConfigFiles.resolve(baseDirectory, shown.getString(key)).toString()));
            }
        }
        for (Map.Entry<String, Set<String>> list : SHOWN_FIELDS.entrySet()) {
            List<ConfigObject> entries = new ArrayList<>();
            // The loader has checked that these are lists of objects.
            for (ConfigValue entry : shown.getList(list.getKey())) {
                entries.add(redactedEntry((ConfigObject) entry, list.getValue(), baseDirectory));
            }
            shown = shown.withValue(list.getKey(), ConfigValueFactory.fromIterable(entries));
        }
        return new EffectiveConfig(settings, shown.root().render(HOCON));
    }

    private static ConfigObject redactedEntry(ConfigObject entry, Set<String> shownFields, Path baseDirectory) {
        Map<String, Object> fields = new LinkedHashMap<>();
        entry.forEach((field, value) -> fields.put(field, !shownFields.contains(field) ? REDACTED
                : field.equals(TOKEN_FILE) ? ConfigFiles.resolve(baseDirectory, entry.toConfig().getString(field)).toString()
                : value));
        return ConfigValueFactory.fromMap(fields);
    }
}
