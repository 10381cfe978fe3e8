package dev.mapgate.origin;

/**
 * A satisfiable byte range of a representation, both ends inclusive as in {@code Content-Range}.
 *
 * @param first offset of the first byte
 * @param last  offset of the last byte, {@code >= first} and {@code < size}
 * @param size  length of the whole representation
 */
public record ByteRange(long first, long last, long size) {

    public ByteRange {
        if (first < 0 || last < first || last >= size) {
            throw new IllegalArgumentException("bad range first=" + first + " last=" + last + " size=" + size);
        }
    }

    public long length() {
        return last - first + 1;
    }

    /** The {@code Content-Range} value of a 206 carrying this range. */
    public String contentRange() {
        return "bytes " + first + '-' + last + '/' + size;
    }

    /** The {@code Content-Range} value of a 416 for a representation of {@code size} bytes. */
    public static String unsatisfiedContentRange(long size) {
        return "bytes */" + size;
    }
}
