package dev.mapgate.testing;

/**
 * A byte pattern that depends on the absolute offset, so a byte that is lost, duplicated or
 * reordered anywhere in a multi-gigabyte body shows up at the offset where it happened, without
 * holding the expected body in memory.
 */
public final class Pattern {

    private Pattern() {
    }

    public static byte at(long offset) {
        // Mixes in higher bits so that blocks of 256 bytes differ from one another.
        return (byte) (offset ^ (offset >>> 8) * 31 ^ (offset >>> 16) * 131);
    }

    public static void fill(byte[] block, long offset, int length) {
        for (int i = 0; i < length; i++) {
            block[i] = at(offset + i);
        }
    }

    /** @return the offset of the first byte that differs, or -1 */
    public static long firstMismatch(byte[] block, long offset, int length) {
        for (int i = 0; i < length; i++) {
            if (block[i] != at(offset + i)) {
                return offset + i;
            }
        }
        return -1;
    }
}
