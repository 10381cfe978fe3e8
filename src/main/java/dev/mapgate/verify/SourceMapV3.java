package dev.mapgate.verify;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a source map the way Sentry's parser would accept it, and says what is wrong when it
 * would not: a JSON object with {@code version} 3, a {@code sources} array of strings (or nulls)
 * and a {@code mappings} string whose segments decode and point at existing sources and names. An
 * index map ({@code sections}) is valid when each section embeds such a map; a section that
 * points at a {@code url} instead cannot be used. An XSSI guard line ({@code )]}'}) in front is
 * skipped, as Sentry skips it.
 */
public final class SourceMapV3 {

    /** One entry of {@code sources}, with the map's {@code sourceRoot} already applied. */
    public record Source(String name, boolean hasContent) {}

    /** A map Sentry can read. */
    public record Parsed(boolean index, List<Source> sources) {
        public Parsed {
            sources = List.copyOf(sources);
        }

        public List<Source> withoutContent() {
            return sources.stream().filter(s -> !s.hasContent()).toList();
        }
    }

    /** Why a map cannot be read. */
    public static final class InvalidMap extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidMap(String message) {
            super(message, null, false, false);
        }
    }

    // A large map's "mappings" or one of its sourcesContent strings can pass Jackson's default
    // 20-million-character limit; the body is already capped in size when it gets here.
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SourceMapV3() {}

    public static Parsed parse(byte[] bytes) throws InvalidMap {
        JsonNode root;
        try {
            root = JSON.readTree(withoutXssiGuard(bytes));
        } catch (JacksonException e) {
            throw new InvalidMap("not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidMap("not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidMap("not a JSON object");
        }
        JsonNode version = root.get("version");
        if (version == null) {
            throw new InvalidMap("no \"version\" (a source map v3 has \"version\": 3)");
        }
        if (!version.isIntegralNumber() || version.asInt() != 3) {
            throw new InvalidMap("\"version\" is " + version + ", not 3");
        }
        if (root.has("sections")) {
            return new Parsed(true, sections(root.get("sections")));
        }
        return new Parsed(false, regular(root, ""));
    }

    private static List<Source> sections(JsonNode sections) throws InvalidMap {
        if (!sections.isArray()) {
            throw new InvalidMap("\"sections\" is not an array");
        }
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            JsonNode section = sections.get(i);
            String where = "sections[" + i + "]";
            if (!section.isObject()) {
                throw new InvalidMap(where + " is not an object");
            }
            JsonNode map = section.get("map");
            if (map == null || map.isNull()) {
                throw new InvalidMap(section.has("url")
                        ? where + " points at a \"url\" instead of embedding a \"map\"; Sentry does not fetch those"
                        : where + " has no \"map\"");
            }
            if (!map.isObject()) {
                throw new InvalidMap(where + ".map is not an object");
            }
            sources.addAll(map.has("sections") ? sections(map.get("sections")) : regular(map, where + ".map."));
        }
        return sources;
    }

    private static List<Source> regular(JsonNode map, String where) throws InvalidMap {
        JsonNode sourcesNode = map.get("sources");
        if (sourcesNode == null) {
            throw new InvalidMap("no \"" + where + "sources\"");
        }
        List<String> names = strings(sourcesNode, where + "sources");
        JsonNode mappings = map.get("mappings");
        if (mappings == null) {
            throw new InvalidMap("no \"" + where + "mappings\"");
        }
        if (!mappings.isTextual()) {
            throw new InvalidMap("\"" + where + "mappings\" is not a string");
        }
        JsonNode namesNode = map.get("names");
        int nameCount = namesNode == null || namesNode.isNull() ? 0 : arraySize(namesNode, where + "names");
        checkMappings(mappings.textValue(), names.size(), nameCount, where);

        String sourceRoot = null;
        JsonNode root = map.get("sourceRoot");
        if (root != null && !root.isNull()) {
            if (!root.isTextual()) {
                throw new InvalidMap("\"" + where + "sourceRoot\" is not a string");
            }
            sourceRoot = root.textValue();
        }
        List<String> contents = List.of();
        JsonNode contentNode = map.get("sourcesContent");
        if (contentNode != null && !contentNode.isNull()) {
            contents = strings(contentNode, where + "sourcesContent");
        }
        List<Source> sources = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i) == null ? "" : names.get(i);
            boolean hasContent = i < contents.size() && contents.get(i) != null;
            sources.add(new Source(SentryPaths.withSourceRoot(sourceRoot, name), hasContent));
        }
        return sources;
    }

    private static List<String> strings(JsonNode array, String what) throws InvalidMap {
        if (!array.isArray()) {
            throw new InvalidMap("\"" + what + "\" is not an array");
        }
        List<String> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode value = array.get(i);
            if (value.isNull()) {
                values.add(null);
            } else if (value.isTextual()) {
                values.add(value.textValue());
            } else {
                throw new InvalidMap("\"" + what + "\"[" + i + "] is neither a string nor null");
            }
        }
        return values;
    }

    private static int arraySize(JsonNode array, String what) throws InvalidMap {
        if (!array.isArray()) {
            throw new InvalidMap("\"" + what + "\" is not an array");
        }
        return array.size();
    }

    /**
     * Decodes every segment of {@code mappings} as Sentry's parser does: base64 VLQ numbers, one,
     * four or five per segment, with the source and name indexes (running sums) in range.
     */
    static void checkMappings(String mappings, int sourceCount, int nameCount, String where) throws InvalidMap {
        long source = 0;
        long name = 0;
        long[] fields = new long[6];
        int line = 0;
        int i = 0;
        int length = mappings.length();
        while (i <= length) {
            int end = i;
            while (end < length && mappings.charAt(end) != ',' && mappings.charAt(end) != ';') {
                end++;
            }
            if (end > i) {
                int count = 0;
                int at = i;
                while (at < end) {
                    if (count == fields.length) {
                        throw badMapping(where, line, "a segment with more than five fields");
                    }
                    long value = 0;
                    int shift = 0;
                    boolean more = true;
                    while (more) {
                        if (at >= end) {
                            throw badMapping(where, line, "a number cut off in the middle");
                        }
                        int digit = base64(mappings.charAt(at++));
                        if (digit < 0) {
                            throw badMapping(where, line, "'" + mappings.charAt(at - 1) + "', which is not base64");
                        }
                        if (shift > 60) {
                            throw badMapping(where, line, "a number too large");
                        }
                        more = (digit & 32) != 0;
                        value |= (long) (digit & 31) << shift;
                        shift += 5;
                    }
                    fields[count++] = (value & 1) != 0 ? -(value >>> 1) : value >>> 1;
                }
                if (count != 1 && count != 4 && count != 5) {
                    throw badMapping(where, line, "a segment with " + count + " fields (1, 4 or 5 are allowed)");
                }
                if (count > 1) {
                    source += fields[1];
                    if (source < 0 || source >= sourceCount) {
                        throw badMapping(where, line, "source index " + source + " but \"sources\" has " + sourceCount);
                    }
                }
                if (count == 5) {
                    name += fields[4];
                    if (name < 0 || name >= nameCount) {
                        throw badMapping(where, line, "name index " + name + " but \"names\" has " + nameCount);
                    }
                }
            }
            if (end < length && mappings.charAt(end) == ';') {
                line++;
            }
            i = end + 1;
        }
    }

    private static InvalidMap badMapping(String where, int line, String what) {
        return new InvalidMap("\"" + where + "mappings\" line " + (line + 1) + " has " + what);
    }

    private static int base64(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    }

    /** Drops a first line made of {@code )]}'} characters, as the source map spec allows. */
    static byte[] withoutXssiGuard(byte[] bytes) throws InvalidMap {
        if (bytes.length == 0 || !isGuardChar(bytes[0])) {
            return bytes;
        }
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                return Arrays.copyOfRange(bytes, i, bytes.length);
            }
            if (b == '\r') {
                if (i + 1 < bytes.length && bytes[i + 1] == '\n') {
                    return Arrays.copyOfRange(bytes, i + 1, bytes.length);
                }
                throw new InvalidMap("the )]}' guard line ends in a bare CR");
            }
        }
        return new byte[0];
    }

    private static boolean isGuardChar(byte b) {
        return b == ')' || b == ']' || b == '}' || b == '\'';
    }
}
