package dev.mapgate.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Rejects keys under {@code mapgate} that reference.conf does not define. Without this a typo
 * ({@code listen.prot}) silently keeps the default, which for a gate can mean serving source maps
 * to the world.
 */
final class KnownKeys {

    /** Lists of objects have no element in reference.conf to compare against; see {@link ListSchema}. */
    private static final Map<String, ListSchema> LISTS = ListSchema.ALL.stream()
            .collect(Collectors.toUnmodifiableMap(list -> list.in(ListSchema.GATE), list -> list));

    /** Named CIDR lists meant to be extended with the operator's own names (see reference.conf). */
    private static final Set<String> OPEN_OBJECTS = Set.of("mapgate.ip-ranges");

    private KnownKeys() {
    }

    /**
     * @param actual the resolved {@code mapgate} object (user file over reference.conf)
     * @param known  the {@code mapgate} object of reference.conf alone, including its null keys
     */
    static void check(ConfigObject actual, ConfigObject known) {
        checkObject("mapgate", actual, known);
    }

    /**
     * Refuses keys of the operator's file that sit outside {@code mapgate { }} but look meant for
     * it: a section's name ({@code origin.url = ...} at the top, {@code gate.allow-ips} after the
     * closing brace) or a misspelt {@code mapgate}. Loading reads only {@code mapgate}, so such a
     * key would otherwise change nothing while {@code check-config} calls the file valid. Other
     * top-level keys are allowed: they are how HOCON names a value to substitute in several places.
     *
     * @param file  the operator's file, parsed and not yet resolved
     * @param known the {@code mapgate} object of reference.conf
     */
    static void checkOutsideBlock(Config file, ConfigObject known) {
        ConfigObject root = file.root();
        for (String key : new TreeSet<>(root.keySet())) {
            if (key.equals("mapgate")) {
                continue;
            }
            if (known.containsKey(key)) {
                String path = key;
                ConfigValue value = root.get(key);
                // Down to the first key actually written, so the message names what the operator typed.
                while (value instanceof ConfigObject object && !object.isEmpty()) {
                    String first = new TreeSet<>(object.keySet()).first();
                    path = path + "." + first;
                    value = object.get(first);
                }
                throw new ConfigProblem(SettingsLoader.oneLine(path + ": written outside mapgate { }, where it is not"
                        + " read; put it inside the mapgate block (" + value.origin().description() + ")"));
            }
            if (closest(key, List.of("mapgate")) != null) {
                throw new ConfigProblem(SettingsLoader.oneLine(key + ": not a key mapgate reads, so nothing in it is"
                        + " read; did you mean mapgate? (" + root.get(key).origin().description() + ")"));
            }
        }
    }

    private static void checkObject(String path, ConfigObject actual, ConfigObject known) {
        for (Map.Entry<String, ConfigValue> entry : actual.entrySet()) {
            String key = entry.getKey();
            String keyPath = path + "." + key;
            ConfigValue value = entry.getValue();
            ConfigValue reference = known.get(key);
            if (reference == null) {
                throw unknown(keyPath, key, known.keySet());
            }
            if (reference.valueType() == ConfigValueType.OBJECT) {
                if (value.valueType() != ConfigValueType.OBJECT) {
                    throw notAnObject(keyPath, value);
                }
                if (!OPEN_OBJECTS.contains(keyPath)) {
                    checkObject(keyPath, (ConfigObject) value, (ConfigObject) reference);
                }
            } else if (LISTS.containsKey(keyPath) && ConfigValues.asList(value) != null) {
                checkElements(keyPath, ConfigValues.asList(value), LISTS.get(keyPath));
            }
            // Scalars and lists of scalars: their type and value are checked where they are read.
        }
    }

    private static void checkElements(String path, List<?> elements, ListSchema schema) {
        for (int i = 0; i < elements.size(); i++) {
            ConfigValue element = (ConfigValue) elements.get(i);
            String elementPath = path + "[" + i + "]";
            if (element.valueType() != ConfigValueType.OBJECT) {
                throw new ConfigProblem(SettingsLoader.oneLine(elementPath + ": expected an object with "
                        + schema.described() + ", got " + ConfigValues.typeName(element)
                        + " (" + element.origin().description() + ")"));
            }
            checkEntry(elementPath, "", (ConfigObject) element, schema);
        }
    }

    /**
     * Checks one object of a list entry: the entry itself ({@code within} empty) or an object in it
     * ({@code token} of a site), down to the lists of objects it holds.
     */
    private static void checkEntry(String path, String within, ConfigObject object, ListSchema schema) {
        List<String> keys = schema.keysIn(within);
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            String key = entry.getKey();
            String field = within.isEmpty() ? key : within + "." + key;
            String keyPath = path + "." + key;
            ConfigValue value = entry.getValue();
            if (!keys.contains(key)) {
                String refusal = schema.refused().get(field);
                throw refusal == null ? unknown(keyPath, key, keys)
                        : new ConfigProblem(SettingsLoader.oneLine(keyPath + ": " + refusal));
            }
            if (schema.isObject(field)) {
                if (value.valueType() != ConfigValueType.OBJECT) {
                    throw notAnObject(keyPath, value);
                }
                checkEntry(keyPath, field, (ConfigObject) value, schema);
            } else if (schema.list(field) != null && ConfigValues.asList(value) != null) {
                checkElements(keyPath, ConfigValues.asList(value), schema.list(field));
            }
        }
    }

    private static ConfigProblem notAnObject(String path, ConfigValue value) {
        return new ConfigProblem(SettingsLoader.oneLine(path + ": expected an object { ... }, got "
                + ConfigValues.typeName(value) + " (" + value.origin().description() + ")"));
    }

    private static ConfigProblem unknown(String path, String key, Collection<String> siblings) {
        String suggestion = closest(key, siblings);
        return new ConfigProblem(SettingsLoader.oneLine(path + ": unknown key"
                + (suggestion == null ? "" : "; did you mean " + suggestion + "?")));
    }

    /** The sibling within a small edit distance (typos, transpositions), or {@code null}. */
    static String closest(String key, Collection<String> candidates) {
        String best = null;
        int bestDistance = Math.max(1, Math.min(3, key.length() / 3)) + 1;
        for (String candidate : candidates) {
            // Either side in any case: keys are lower case, environment variables upper.
            int distance = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("prot" -> "port" is 1). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
