package dev.mapgate.guard;

/**
 * Whether bytes cut from anywhere inside a source map could be these. A map is UTF-8 JSON:
 * outside the whitespace tab, CR and LF it holds no control byte (JSON escapes them in strings),
 * and its UTF-8 is valid, apart from a sequence that the cut splits at either end. A slice with a
 * byte that breaks this is binary (an image, an archive, random data) and no part of a map.
 *
 * <p>For the content guard's view of a {@code Range} part from inside a file, which does not
 * start like a map even when it is one: a part that could be JSON text is refused, a binary one
 * passes, so resumed downloads of binary files keep working.
 */
public final class JsonSlice {

    /** How much of a part is looked at. */
    public static final int SAMPLE = 4096;

    private JsonSlice() {
    }

    /** @return whether the first {@code length} bytes of {@code bytes} could be cut from a map */
    public static boolean couldBeMapText(byte[] bytes, int length) {
        int i = 0;
        // Continuation bytes of a sequence that began before the cut.
        while (i < length && i < 3 && (bytes[i] & 0xc0) == 0x80) {
            i++;
        }
        while (i < length) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                    return false;
                }
                i++;
                continue;
            }
            int following;
            if (b >= 0xc2 && b <= 0xdf) {
                following = 1;
            } else if (b >= 0xe0 && b <= 0xef) {
                following = 2;
            } else if (b >= 0xf0 && b <= 0xf4) {
                following = 3;
            } else {
                // A stray continuation byte, C0, C1 or F5 to FF: never in UTF-8.
                return false;
            }
            for (int k = 1; k <= following; k++) {
                if (i + k >= length) {
                    // The sample ends inside the sequence: what follows may complete it.
                    return true;
                }
                if ((bytes[i + k] & 0xc0) != 0x80) {
                    return false;
                }
            }
            i += following + 1;
        }
        return true;
    }
}
