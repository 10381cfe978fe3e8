package dev.mapgate.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A config that loaded, as {@code mapgate check-config} shows it.
 *
 * <p>Why the redaction below is complete: the loader accepts under {@code mapgate} only the keys
 * reference.conf defines and the fields {@link ListSchema} declares (see {@link KnownKeys}), and
 * the only ones among them that hold a secret are fields of the token and Basic user entries, the
 * gate's own and each site's. In those lists a field is shown only when it is known to be
 * harmless; {@code origin.url} cannot carry a user:password (the loader refuses it).
 * {@code mapgate.ip-ranges} is left out: it is a library of named lists, and the lists in use
 * already appear, resolved, where they are used.
 *
 * @param settings the validated settings, exactly as {@code mapgate run} would get them
 * @param hocon    the merged config (reference.conf, the file, {@code MAPGATE_*} variables, with
 *                 substitutions resolved) as HOCON under {@code mapgate { ... }}, secrets redacted
 */
public record EffectiveConfig(Settings settings, String hocon) {

    static final String REDACTED = "<redacted>";

    /**
     * Keys that name a file or folder. They are shown resolved, as mapgate uses them: a relative
     * path is relative to the config file, not to where check-config was run, and that difference
     * is what an operator checking a config needs to see. Those in list entries (a token's file, a
     * site's htpasswd file) are declared by their {@link ListSchema}.
     */
    private static final List<String> PATHS = List.of("mapgate.listen.tls.certificate-chain",
            "mapgate.listen.tls.private-key", "mapgate.origin.directory", "mapgate.origin.tls.ca-file",
            "mapgate.gate.basic.htpasswd-file");

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
        shown = sitesInFull(shown);
        for (ListSchema list : ListSchema.ALL) {
            String key = list.in(ListSchema.GATE);
            // The loader has checked that these are lists of objects.
            shown = shown.withValue(key, redacted(shown.getList(key), list, baseDirectory));
        }
        return new EffectiveConfig(settings, shown.root().render(HOCON));
    }

    /**
     * Each site as run reads it: the gate's require, allow-ips and deny-status where it leaves
     * them out, and empty lists where it has no credentials, which shows that it takes none of the
     * gate's.
     */
    private static Config sitesInFull(Config shown) {
        Config gate = shown.getConfig(ListSchema.GATE);
        Config inherited = GateReader.SITE_DEFAULTS;
        for (String key : GateReader.INHERITED) {
            inherited = inherited.withValue(key, gate.getValue(key));
        }
        List<ConfigValue> sites = new ArrayList<>();
        for (ConfigValue site : ConfigValues.asList(gate.getValue(ListSchema.SITES.key()))) {
            sites.add(((ConfigObject) site).withFallback(inherited));
        }
        return shown.withValue(ListSchema.SITES.in(ListSchema.GATE), ConfigValueFactory.fromIterable(sites));
    }

    /**
     * Entries of {@code schema} with only the fields known to be harmless shown: any other is
     * replaced, so that a field added to an entry without a thought for redaction stays hidden.
     */
    private static ConfigValue redacted(List<? extends ConfigValue> entries, ListSchema schema, Path baseDirectory) {
        List<ConfigValue> redacted = new ArrayList<>();
        for (ConfigValue entry : entries) {
            redacted.add(redacted((ConfigObject) entry, "", schema, baseDirectory));
        }
        return ConfigValueFactory.fromIterable(redacted);
    }

    /** @param within where {@code object} is in its entry: "" for the entry, {@code token} for a site's */
    private static ConfigValue redacted(ConfigObject object, String within, ListSchema schema, Path baseDirectory) {
        Map<String, Object> fields = new LinkedHashMap<>();
        object.forEach((key, value) -> {
            String field = within.isEmpty() ? key : within + "." + key;
            ListSchema list = schema.list(field);
            if (list != null) {
                // However it was written: an object with numbered keys is read as this list too.
                List<? extends ConfigValue> entries = ConfigValues.asList(value);
                fields.put(key, entries == null ? REDACTED : redacted(entries, list, baseDirectory));
            } else if (schema.isObject(field) && value.valueType() == ConfigValueType.OBJECT) {
                fields.put(key, redacted((ConfigObject) value, field, schema, baseDirectory));
            } else if (!schema.fields().contains(field) || schema.secret().contains(field)) {
                fields.put(key, REDACTED);
            } else if (schema.files().contains(field) && value.valueType() != ConfigValueType.NULL) {
                fields.put(key, ConfigFiles.resolve(baseDirectory, object.toConfig().getString(key)).toString());
            } else {
                fields.put(key, value);
            }
        });
        return ConfigValueFactory.fromMap(fields);
    }
}
