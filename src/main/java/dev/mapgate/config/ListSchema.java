package dev.mapgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A list of objects in the config, declared once: the reader reads its fields, {@link KnownKeys}
 * refuses any other, and {@link EffectiveConfig} shows only those that are not secret. Lists of
 * objects have no element in reference.conf to compare against, so this is where their shape lives.
 *
 * <p>A field may sit in an object of the entry ({@code token.tokens} of a site), and may itself be
 * a list of objects declared by a schema of {@link #lists}, whose key is then relative to the entry.
 *
 * @param key     the list's key, relative to the object that holds it ({@link #GATE} for the
 *                lists of {@link #ALL})
 * @param fields  every field an entry may have, as a path within the entry, in the order messages
 *                name them
 * @param secret  fields never shown, wherever their value came from
 * @param files   fields that name a file, shown resolved against the config's folder
 * @param lists   fields that are lists of objects themselves
 * @param refused keys an entry must not have although they look as if it could, each with what to
 *                say instead of "unknown key"
 */
record ListSchema(String key, List<String> fields, Set<String> secret, Set<String> files, List<ListSchema> lists,
                  Map<String, String> refused) {

    /** Where the lists of {@link #ALL} are. */
    static final String GATE = "mapgate.gate";

    static final ListSchema TOKENS = new ListSchema("token.tokens", List.of("name", "value", "file"),
            Set.of("value"), Set.of("file"), List.of(), Map.of());

    static final ListSchema USERS = new ListSchema("basic.users", List.of("name", "password-hash"),
            Set.of("password-hash"), Set.of(), List.of(), Map.of());

    /**
     * A site has the gate's own keys that say who may pass, not those that say what is gated or
     * how the gate answers: those are the gate's alone, so a site setting them is refused rather
     * than ignored.
     */
    static final ListSchema SITES = new ListSchema("sites",
            List.of("name", "hosts", "path-prefixes", "require", "allow-ips", "deny-status", TOKENS.key(),
                    USERS.key(), "basic.htpasswd-file"),
            Set.of(), Set.of("basic.htpasswd-file"), List.of(TOKENS, USERS), gateWide(Map.of(
                    "token.header", "the token header",
                    "basic.realm", "the Basic realm",
                    "paths", "which paths are gated",
                    "sibling-names", "sibling-names",
                    "throttle", "throttling",
                    "content-guard", "the content guard")));

    /** The lists in {@link #GATE}. */
    static final List<ListSchema> ALL = List.of(TOKENS, USERS, SITES);

    ListSchema {
        fields = List.copyOf(fields);
        secret = Set.copyOf(secret);
        files = Set.copyOf(files);
        lists = List.copyOf(lists);
        refused = Map.copyOf(refused);
    }

    /** The list's full key path in the object at {@code owner}: {@code mapgate.gate.sites[0].token.tokens}. */
    String in(String owner) {
        return owner + "." + key;
    }

    /** The keys an entry may have at its top, in order: for a site, {@code token} rather than {@code token.tokens}. */
    List<String> topFields() {
        return fields.stream().map(field -> field.split("\\.", 2)[0]).distinct().toList();
    }

    /** The fields for a message: "name, value, file". */
    String described() {
        return String.join(", ", topFields());
    }

    /** The keys an entry may have directly in its object at {@code within} ("" for the entry itself). */
    List<String> keysIn(String within) {
        String start = within.isEmpty() ? "" : within + ".";
        List<String> keys = new ArrayList<>();
        for (String field : fields) {
            if (field.startsWith(start)) {
                String key = field.substring(start.length()).split("\\.", 2)[0];
                if (!keys.contains(key)) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    /** Whether {@code path} within an entry is an object that holds fields ({@code token} of a site). */
    boolean isObject(String path) {
        return fields.stream().anyMatch(field -> field.startsWith(path + "."));
    }

    /** The schema of the list of objects at {@code path} within an entry, or {@code null}. */
    ListSchema list(String path) {
        return lists.stream().filter(list -> list.key().equals(path)).findFirst().orElse(null);
    }

    private static Map<String, String> gateWide(Map<String, String> what) {
        Map<String, String> refused = new LinkedHashMap<>();
        what.forEach((key, words) -> refused.put(key, words + " is gate-wide; set " + GATE + "." + key));
        return refused;
    }
}
