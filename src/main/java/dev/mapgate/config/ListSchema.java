package dev.mapgate.config;

import java.util.List;
import java.util.Set;

/**
 * A list of objects in the config, declared once: the reader reads its fields, {@link KnownKeys}
 * refuses any other, and {@link EffectiveConfig} shows only those that are not secret. Lists of
 * objects have no element in reference.conf to compare against, so this is where their shape lives.
 *
 * @param key      the list's full key path
 * @param fields   every field an entry may have, in the order messages name them
 * @param optional fields an entry may leave out (the reader says which combinations are valid)
 * @param secret   fields never shown, wherever their value came from
 */
record ListSchema(String key, List<String> fields, Set<String> optional, Set<String> secret) {

    static final ListSchema TOKENS = new ListSchema("mapgate.gate.token.tokens",
            List.of("name", "value", "file"), Set.of("value", "file"), Set.of("value"));

    static final ListSchema USERS = new ListSchema("mapgate.gate.basic.users",
            List.of("name", "password-hash"), Set.of(), Set.of("password-hash"));

    static final List<ListSchema> ALL = List.of(TOKENS, USERS);

    ListSchema {
        fields = List.copyOf(fields);
        optional = Set.copyOf(optional);
        secret = Set.copyOf(secret);
    }

    /** The fields for a message: "name and value or file". */
    String described() {
        List<String> required = fields.stream().filter(f -> !optional.contains(f)).toList();
        List<String> either = fields.stream().filter(optional::contains).toList();
        return String.join(" and ", required) + (either.isEmpty() ? "" : " and " + String.join(" or ", either));
    }

    /** The fields {@code check-config} may show. */
    Set<String> shown() {
        return Set.copyOf(fields.stream().filter(f -> !secret.contains(f)).toList());
    }
}
