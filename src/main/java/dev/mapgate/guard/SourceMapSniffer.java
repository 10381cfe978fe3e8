package dev.mapgate.guard;

import java.util.Set;

/**
 * Tells from the first bytes of a body whether it is a source map, whatever its name. Fed the
 * decoded body a byte at a time, it answers as soon as it can: a JavaScript, CSS or HTML body is
 * {@link Verdict#NOT_MAP} at its first byte, because a map is a JSON object.
 *
 * <p>A map, as the Source Map specification and every bundler write one: optionally a first line
 * {@code )]}'} (the anti-XSSI prefix, which consumers strip), then a JSON object whose top-level
 * keys include a numeric {@code version} and either {@code mappings}, {@code sections} (an index
 * map), or {@code sources} together with {@code sourcesContent} or {@code names}. Bundlers put
 * {@code version} first; webpack then writes {@code mappings} early, Rollup and Vite {@code
 * sources} and {@code sourcesContent}, so a map is recognised within its first few hundred bytes.
 * The values are skipped, not parsed, so a huge {@code sourcesContent} costs nothing.
 *
 * <p>Only the top level of the object is read. Input that is not such an object, a top-level
 * object that closes without the keys, or {@value #WINDOW} bytes without a verdict is {@link
 * Verdict#NOT_MAP}. Not thread-safe: one per response.
 */
public final class SourceMapSniffer {

    /** What the bytes so far say. */
    public enum Verdict { MAP, NOT_MAP, UNDECIDED }

    /** Bytes after which an undecided body is taken as no map. */
    public static final int WINDOW = 64 * 1024;

    private static final String XSSI = ")]}'";
    private static final int LONGEST_KEY = "sourcesContent".length();
    private static final Set<String> CONTENT_KEYS = Set.of("sourcesContent", "names");
    /**
     * The keys a map may start with: those of the specification and its proposals. A JSON object
     * that starts with any other key is no map as any tool writes one, and is decided at once, so
     * that a streamed JSON response ({"events":[...) is not held back.
     */
    private static final Set<String> FIRST_KEYS = Set.of("version", "file", "sourceRoot", "sources", "sourcesContent",
            "names", "mappings", "sections", "ignoreList", "debugId", "debug_id", "rangeMappings");

    private enum State {
        START, XSSI, XSSI_LINE, BEFORE_KEY, KEY, KEY_ESCAPE, AFTER_KEY, BEFORE_VALUE, STRING_VALUE,
        STRING_ESCAPE, NESTED, PRIMITIVE, AFTER_VALUE
    }

    private State state = State.START;
    private Verdict verdict = Verdict.UNDECIDED;
    private int seen;
    private static final int[] BOM = {0xef, 0xbb, 0xbf};

    /** How many bytes of a UTF-8 byte-order mark the body starts with. */
    private int bom;
    /** How much of the XSSI prefix has matched. */
    private int matched;
    private boolean xssiDone;
    /** Made at the first key: most bodies are decided before one. */
    private StringBuilder key;
    private boolean keyTooLong;
    private String currentKey;
    /** Inside a nested value: its depth, whether in a string there, and whether after a backslash. */
    private int depth;
    private boolean nestedString;
    private boolean nestedEscape;

    private boolean firstKeySeen;
    private boolean version;
    private boolean mappings;
    private boolean sources;
    private boolean content;

    /**
     * Undecided, but inside a JSON object that could still become a map: what a body cut short
     * (a {@code Range} response) must not be let through as.
     */
    public boolean couldBeMap() {
        return verdict == Verdict.UNDECIDED && state != State.START && state != State.XSSI && state != State.XSSI_LINE;
    }

    /** Whether a decoded body starting with {@code bytes}, and ending there, is a map. */
    public static boolean isMap(byte[] bytes) {
        SourceMapSniffer sniffer = new SourceMapSniffer();
        sniffer.feed(bytes, 0, bytes.length);
        return sniffer.end() == Verdict.MAP;
    }

    public Verdict verdict() {
        return verdict;
    }

    /** Feeds bytes of the decoded body; returns the verdict so far. Input after a verdict is ignored. */
    public Verdict feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length && verdict == Verdict.UNDECIDED; i++) {
            feed(bytes[i]);
        }
        return verdict;
    }

    /** Feeds the next byte of the decoded body; returns the verdict so far. */
    public Verdict feed(byte b) {
        if (verdict != Verdict.UNDECIDED) {
            return verdict;
        }
        if (++seen > WINDOW) {
            return verdict = Verdict.NOT_MAP;
        }
        step(b & 0xff);
        return verdict;
    }

    /** The body ended: what is still undecided is no map. */
    public Verdict end() {
        if (verdict == Verdict.UNDECIDED) {
            verdict = Verdict.NOT_MAP;
        }
        return verdict;
    }

    private void step(int c) {
        switch (state) {
            case START -> start(c);
            case XSSI -> {
                if (c != XSSI.charAt(matched)) {
                    verdict = Verdict.NOT_MAP;
                } else if (++matched == XSSI.length()) {
                    state = State.XSSI_LINE;
                }
            }
            case XSSI_LINE -> {
                if (c == '\n') {
                    // One prefix line only; a second ")]}'" is no map.
                    xssiDone = true;
                    state = State.START;
                }
            }
            case BEFORE_KEY -> {
                if (c == '"') {
                    if (key == null) {
                        key = new StringBuilder(LONGEST_KEY + 1);
                    }
                    key.setLength(0);
                    keyTooLong = false;
                    state = State.KEY;
                } else if (!isSpace(c)) {
                    // '}' closes an object without the keys; anything else is not JSON.
                    verdict = Verdict.NOT_MAP;
                }
            }
            case KEY -> {
                if (c == '"') {
                    keyDone();
                } else if (c == '\\') {
                    keyTooLong = true;
                    state = State.KEY_ESCAPE;
                } else if (key.length() < LONGEST_KEY) {
                    key.append((char) c);
                } else {
                    keyTooLong = true;
                }
            }
            case KEY_ESCAPE -> state = State.KEY;
            case AFTER_KEY -> {
                if (c == ':') {
                    state = State.BEFORE_VALUE;
                } else if (!isSpace(c)) {
                    verdict = Verdict.NOT_MAP;
                }
            }
            case BEFORE_VALUE -> valueStart(c);
            case STRING_VALUE -> {
                if (c == '"') {
                    state = State.AFTER_VALUE;
                } else if (c == '\\') {
                    state = State.STRING_ESCAPE;
                }
            }
            case STRING_ESCAPE -> state = State.STRING_VALUE;
            case NESTED -> nested(c);
            case PRIMITIVE -> {
                if (c == ',') {
                    state = State.BEFORE_KEY;
                } else if (c == '}') {
                    verdict = Verdict.NOT_MAP;
                } else if (isSpace(c)) {
                    state = State.AFTER_VALUE;
                }
            }
            case AFTER_VALUE -> {
                if (c == ',') {
                    state = State.BEFORE_KEY;
                } else if (!isSpace(c)) {
                    verdict = Verdict.NOT_MAP;
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void start(int c) {
        // A UTF-8 byte-order mark, only at the very start.
        if (bom < BOM.length && seen == bom + 1 && c == BOM[bom]) {
            bom++;
            return;
        }
        if (isSpace(c)) {
            return;
        }
        if (c == '{') {
            state = State.BEFORE_KEY;
        } else if (c == ')' && !xssiDone) {
            matched = 1;
            state = State.XSSI;
        } else {
            verdict = Verdict.NOT_MAP;
        }
    }

    private void keyDone() {
        String start = key.toString();
        currentKey = keyTooLong ? "" : start;
        if (!firstKeySeen) {
            firstKeySeen = true;
            // x_ keys are the specification's vendor extensions, often long (x_google_ignoreList).
            if (!FIRST_KEYS.contains(currentKey) && !start.startsWith("x_")) {
                verdict = Verdict.NOT_MAP;
                return;
            }
        }
        switch (currentKey) {
            case "mappings", "sections" -> mappings = true;
            case "sources" -> sources = true;
            default -> content |= CONTENT_KEYS.contains(currentKey);
        }
        decide();
        state = State.AFTER_KEY;
    }

    private void valueStart(int c) {
        if (isSpace(c)) {
            return;
        }
        if ("version".equals(currentKey) && c >= '0' && c <= '9') {
            version = true;
            decide();
        }
        switch (c) {
            case '"' -> state = State.STRING_VALUE;
            case '{', '[' -> {
                depth = 1;
                nestedString = nestedEscape = false;
                state = State.NESTED;
            }
            default -> state = State.PRIMITIVE;
        }
    }

    private void nested(int c) {
        if (nestedString) {
            if (nestedEscape) {
                nestedEscape = false;
            } else if (c == '\\') {
                nestedEscape = true;
            } else if (c == '"') {
                nestedString = false;
            }
            return;
        }
        switch (c) {
            case '"' -> nestedString = true;
            case '{', '[' -> depth++;
            case '}', ']' -> {
                if (--depth == 0) {
                    state = State.AFTER_VALUE;
                }
            }
            default -> { }
        }
    }

    private void decide() {
        if (version && (mappings || sources && content)) {
            verdict = Verdict.MAP;
        }
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }
}
