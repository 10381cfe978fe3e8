package dev.mapgate.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.mapgate.gate.InvalidEntry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Typed reads from one {@link Config} whose failures become a one-line {@link ConfigProblem}
 * starting with the full key path. Typesafe's own messages start with the file and line, and for a
 * list element or token object they would name a path relative to that element, so every read
 * goes through here instead.
 *
 * <p>Messages never echo a value read as a string: it may be a secret. Numbers are echoed.
 */
final class ConfigValues {

    private final Config config;
    private final String prefix;
    private final Function<String, String> envSource;

    /**
     * @param prefix    prepended to a key to form the path shown in messages, e.g.
     *                  {@code "mapgate.gate.token.tokens[0]."}; empty for the root config
     * @param envSource the environment variable that set a (full) path, or {@code null}
     */
    ConfigValues(Config config, String prefix, Function<String, String> envSource) {
        this.config = config;
        this.prefix = prefix;
        this.envSource = envSource;
    }

    static ConfigValues of(Config config) {
        return new ConfigValues(config, "", path -> null);
    }

    /** The same reads on a nested object (e.g. one token), named {@code displayPath} in messages. */
    ConfigValues nested(Config nestedConfig, String displayPath) {
        return new ConfigValues(nestedConfig, displayPath + ".", path -> null);
    }

    /**
     * The same reads on the object at {@code key} (e.g. {@code mapgate.gate}), by keys relative to
     * it; messages still name the full path and the environment variable that set one. For a
     * section of reference.conf, which {@link KnownKeys} has checked is an object.
     */
    ConfigValues within(String key) {
        return new ConfigValues(config.getConfig(key), path(key) + ".", envSource);
    }

    /** These values, with the value {@code from} has for each of {@code keys} they leave out. */
    ConfigValues inheriting(ConfigValues from, List<String> keys) {
        Config merged = config;
        for (String key : keys) {
            if (config.hasPathOrNull(key) && config.getIsNull(key)) {
                // Leaving the key out takes the gate's value; null might be meant as "none".
                throw problem(key, "must not be null; leave it out to take the gate's value");
            }
            if (!config.hasPath(key) && from.config.hasPath(key)) {
                merged = merged.withValue(key, from.config.getValue(key));
            }
        }
        return new ConfigValues(merged, prefix, envSource);
    }

    /** These values, with {@code defaults} for the keys they leave out. */
    ConfigValues withDefaults(Config defaults) {
        return new ConfigValues(config.withFallback(defaults), prefix, envSource);
    }

    String path(String key) {
        return prefix + key;
    }

    boolean isSet(String key) {
        return config.hasPath(key);
    }

    /** A problem with the value at {@code key}; names the environment variable if one set it. */
    ConfigProblem problem(String key, String message) {
        String path = path(key);
        String variable = envSource.apply(path);
        return new ConfigProblem(SettingsLoader.oneLine(
                path + ": " + message + (variable == null ? "" : " (from " + variable + ")")));
    }

    /** A required string; missing, null or empty is an error. */
    String string(String key) {
        String value = optionalString(key);
        if (value == null) {
            throw problem(key, "must be set");
        }
        if (value.isEmpty()) {
            throw problem(key, "must not be empty");
        }
        return value;
    }

    /** A string that may be {@code null} (or absent); empty counts as set and is returned. */
    String optionalString(String key) {
        if (!config.hasPath(key)) {
            return null;
        }
        try {
            return config.getString(key);
        } catch (ConfigException.WrongType e) {
            throw wrongType(key, "a string");
        }
    }

    long integer(String key) {
        requirePresent(key);
        Number number;
        try {
            number = config.getNumber(key);
        } catch (ConfigException.WrongType e) {
            throw wrongType(key, "a whole number");
        }
        if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            if (d != Math.rint(d) || Math.abs(d) > Long.MAX_VALUE) {
                throw problem(key, number + " is not a whole number");
            }
        }
        return number.longValue();
    }

    /** A boolean: true/false, or on/off and yes/no as HOCON allows. */
    boolean bool(String key) {
        requirePresent(key);
        try {
            return config.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw wrongType(key, "on or off (or true or false)");
        }
    }

    int intInRange(String key, int min, int max) {
        long value = integer(key);
        if (value < min || value > max) {
            throw problem(key, value + " is out of range " + min + "-" + max);
        }
        return (int) value;
    }

    int port(String key) {
        return intInRange(key, 1, 65535);
    }

    Duration positiveDuration(String key) {
        Duration duration = duration(key);
        if (duration.isNegative() || duration.isZero()) {
            throw problem(key, duration.toMillis() + "ms must be greater than zero");
        }
        return duration;
    }

    /** A duration of zero or more, for waits that may be skipped (e.g. shutdown.drain-delay = 0s). */
    Duration nonNegativeDuration(String key) {
        Duration duration = duration(key);
        if (duration.isNegative()) {
            throw problem(key, duration.toMillis() + "ms must not be negative");
        }
        return duration;
    }

    private Duration duration(String key) {
        requirePresent(key);
        Duration duration;
        try {
            duration = config.getDuration(key);
        } catch (ConfigException.WrongType e) {
            throw wrongType(key, "a duration such as 30s or 500ms");
        } catch (ConfigException.BadValue e) {
            throw problem(key, "is not a duration; use a number with a unit such as 30s or 500ms");
        }
        return duration;
    }

    /** As {@link #positiveDuration(String)}, and at most {@code max} (a whole number of days). */
    Duration positiveDuration(String key, Duration max) {
        Duration duration = positiveDuration(key);
        if (duration.compareTo(max) > 0) {
            throw problem(key, duration.toMillis() + "ms is more than " + max.toDays() + "d");
        }
        return duration;
    }

    /** A size in bytes ({@code 8KiB}, {@code 512}), greater than zero and at most {@link Integer#MAX_VALUE}. */
    int positiveIntSize(String key) {
        requirePresent(key);
        long bytes;
        try {
            bytes = config.getBytes(key);
        } catch (ConfigException.WrongType e) {
            throw wrongType(key, "a size such as 8KiB");
        } catch (ConfigException.BadValue e) {
            throw problem(key, "is not a size; use a number with a unit such as 8KiB or 512B");
        }
        if (bytes <= 0) {
            throw problem(key, bytes + " bytes must be greater than zero");
        }
        if (bytes > Integer.MAX_VALUE) {
            throw problem(key, bytes + " bytes is too large (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) bytes;
    }

    List<? extends ConfigValue> list(String key) {
        requirePresent(key);
        try {
            return config.getList(key);
        } catch (ConfigException.WrongType e) {
            throw wrongType(key, "a list [ ... ]");
        }
    }

    /** A list of scalars as strings; an element that is an object or list names its index. */
    List<String> stringList(String key) {
        List<? extends ConfigValue> values = list(key);
        String[] result = new String[values.size()];
        for (int i = 0; i < result.length; i++) {
            ConfigValue value = values.get(i);
            switch (value.valueType()) {
                case STRING, NUMBER, BOOLEAN -> result[i] = String.valueOf(value.unwrapped());
                default -> throw elementWrongType(key, i, value, "a string");
            }
        }
        return List.of(result);
    }

    /**
     * A list of strings parsed by one of the gate classes; a refused entry is named by its index,
     * since ${...} concatenation makes the position in the file hard to see otherwise.
     */
    <T> T entries(String key, Function<List<String>, T> parser) {
        List<String> entries = stringList(key);
        try {
            return parser.apply(entries);
        } catch (InvalidEntry e) {
            throw problem(e.index() < 0 ? key : key + "[" + e.index() + "]", e.getMessage());
        }
    }

    /**
     * The objects of a list declared by {@code schema}, each read under its own path. The list's
     * key is relative to these values: read the gate's lists on {@code within("mapgate.gate")}.
     */
    List<ConfigValues> objects(ListSchema schema) {
        List<? extends ConfigValue> elements = list(schema.key());
        List<ConfigValues> objects = new ArrayList<>();
        for (int i = 0; i < elements.size(); i++) {
            ConfigValue element = elements.get(i);
            if (element.valueType() != ConfigValueType.OBJECT) {
                throw elementWrongType(schema.key(), i, element, "an object with " + schema.described());
            }
            objects.add(nested(((ConfigObject) element).toConfig(), path(schema.key()) + "[" + i + "]"));
        }
        return objects;
    }

    ConfigProblem elementWrongType(String key, int index, ConfigValue value, String expected) {
        return new ConfigProblem(SettingsLoader.oneLine(path(key) + "[" + index + "]: expected " + expected
                + ", got " + typeName(value) + " (" + value.origin().description() + ")"));
    }

    private void requirePresent(String key) {
        if (!config.hasPath(key)) {
            throw problem(key, "must be set");
        }
    }

    private ConfigProblem wrongType(String key, String expected) {
        String actual;
        String origin;
        try {
            ConfigValue value = config.getValue(key);
            actual = typeName(value);
            origin = value.origin().description();
        } catch (ConfigException e) {
            // The key's parent is not an object; Typesafe's message says which.
            return new ConfigProblem(SettingsLoader.oneLine(path(key) + ": " + e.getMessage()));
        }
        String variable = envSource.apply(path(key));
        return new ConfigProblem(SettingsLoader.oneLine(path(key) + ": expected " + expected + ", got "
                + actual + " (" + (variable == null ? origin : variable) + ")"));
    }

    /**
     * {@code value} as the list the loader reads it as: a list, or an object with numbered keys
     * ({@code sites.0.name = ...}), which HOCON reads as a list where one is asked for. So every
     * check that walks a list's entries sees them however they were written. {@code null} when it
     * is neither.
     */
    static List<? extends ConfigValue> asList(ConfigValue value) {
        if (value.valueType() == ConfigValueType.LIST) {
            return (ConfigList) value;
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            return null;
        }
        try {
            return value.atKey("list").getList("list");
        } catch (ConfigException.WrongType e) {
            return null;
        }
    }

    static String typeName(ConfigValue value) {
        return switch (value.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case STRING -> "a string";
        };
    }
}
