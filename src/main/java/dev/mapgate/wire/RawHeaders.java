package dev.mapgate.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map.Entry;
import java.util.Set;
import java.util.TreeSet;

/**
 * The header fields of a message as they arrived, kept as bytes with the offsets of each name and
 * value, behind Netty's {@link HttpHeaders} so that every handler reads and edits them as it would
 * any other headers. Netty's decoder makes an {@code AsciiString} per name and a {@code String}
 * per value, a map entry per field, and its encoder turns them back into bytes: for a response
 * that passes through mostly untouched, that is most of the work of proxying its head. Here a
 * lookup compares bytes, a removal sets a bit, an addition goes to a small {@code DefaultHttpHeaders}
 * that is only made when needed, and {@link #encode} copies the kept fields' bytes as they are.
 * A {@code String} is made only for a value someone asks for.
 *
 * <p>The bytes must already be valid field lines ({@link ResponseHead} checks them); the names
 * and values given to {@code add} and {@code set} are checked by {@code DefaultHttpHeaders}.
 * Order is kept: the received fields first, in their order, then the added ones, as
 * {@code DefaultHttpHeaders} would have them. Not thread-safe, like every message's headers.
 */
public final class RawHeaders extends HttpHeaders {

    private static final short COLON_SPACE = (':' << 8) | ' ';
    private static final short CRLF = ('\r' << 8) | '\n';

    private final byte[] bytes;
    /** Four per field: name start, name end, value start, value end (values without surrounding whitespace). */
    private final int[] offsets;
    private final int fields;
    /** One bit per received field that was removed; made on the first removal. */
    private long[] removed;
    private int removedCount;
    private DefaultHttpHeaders added;

    RawHeaders(byte[] bytes, int[] offsets, int fields) {
        this.bytes = bytes;
        this.offsets = offsets;
        this.fields = fields;
    }

    // ---- reading

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        int i = next(name, 0);
        if (i >= 0) {
            return value(i);
        }
        return added == null ? null : added.get(name);
    }

    @Override
    public String get(CharSequence name, String defaultValue) {
        String value = get(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Integer getInt(CharSequence name) {
        String value = get(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Short getShort(CharSequence name) {
        String value = get(name);
        if (value == null) {
            return null;
        }
        try {
            return Short.parseShort(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        String value = get(name);
        Date date = value == null ? null : DateFormatter.parseHttpDate(value);
        return date == null ? null : date.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int i = next(name, 0);
        List<String> more = added == null ? List.of() : added.getAll(name);
        if (i < 0) {
            return more;
        }
        List<String> all = new ArrayList<>(2);
        for (; i >= 0; i = next(name, i + 1)) {
            all.add(value(i));
        }
        all.addAll(more);
        return all;
    }

    @Override
    public boolean contains(String name) {
        return contains((CharSequence) name);
    }

    @Override
    public boolean contains(CharSequence name) {
        return next(name, 0) >= 0 || added != null && added.contains(name);
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = next(name, 0); i >= 0; i = next(name, i + 1)) {
            if (equal(offsets[4 * i + 2], offsets[4 * i + 3], value, ignoreCase)) {
                return true;
            }
        }
        return added != null && added.contains(name, value, ignoreCase);
    }

    /** Whether one of the comma-separated elements of a {@code name} field is {@code value}; no String is made. */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = next(name, 0); i >= 0; i = next(name, i + 1)) {
            int start = offsets[4 * i + 2];
            int end = offsets[4 * i + 3];
            while (start <= end) {
                int comma = start;
                while (comma < end && bytes[comma] != ',') {
                    comma++;
                }
                int a = start;
                int b = comma;
                while (a < b && isBlank(bytes[a])) {
                    a++;
                }
                while (b > a && isBlank(bytes[b - 1])) {
                    b--;
                }
                if (equal(a, b, value, ignoreCase)) {
                    return true;
                }
                start = comma + 1;
            }
        }
        return added != null && added.containsValue(name, value, ignoreCase);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        return fields - removedCount + (added == null ? 0 : added.size());
    }

    @Override
    public Set<String> names() {
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < fields; i++) {
            if (!isRemoved(i)) {
                names.add(name(i));
            }
        }
        if (added != null) {
            names.addAll(added.names());
        }
        return Collections.unmodifiableSet(names);
    }

    @Override
    public List<Entry<String, String>> entries() {
        List<Entry<String, String>> entries = new ArrayList<>(size());
        for (int i = 0; i < fields; i++) {
            if (!isRemoved(i)) {
                entries.add(new SimpleImmutableEntry<>(name(i), value(i)));
            }
        }
        if (added != null) {
            entries.addAll(added.entries());
        }
        return entries;
    }

    @Override
    public Iterator<Entry<String, String>> iterator() {
        return entries().iterator();
    }

    @Override
    public Iterator<Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        List<Entry<CharSequence, CharSequence>> entries = new ArrayList<>(size());
        for (Entry<String, String> e : entries()) {
            entries.add(new SimpleImmutableEntry<>(e.getKey(), e.getValue()));
        }
        return entries.iterator();
    }

    // ---- editing

    @Override
    public HttpHeaders add(String name, Object value) {
        added().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        added().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        added().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        added().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        added().addInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        added().addShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        // Checked first, so that a refused value leaves the received field in place.
        DefaultHttpHeaders more = added();
        more.set(name, value);
        removeReceived(name);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        added().set(name, values);
        removeReceived(name);
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        added().setInt(name, value);
        removeReceived(name);
        return this;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        added().setShort(name, value);
        removeReceived(name);
        return this;
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeReceived(name);
        if (added != null) {
            added.remove(name);
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        for (int i = 0; i < fields; i++) {
            markRemoved(i);
        }
        added = null;
        return this;
    }

    // ---- writing

    /**
     * Writes the field lines, each ending in CRLF, without the empty line that ends the section:
     * the received ones byte for byte (name, ": ", value), then the added ones.
     */
    public void encode(ByteBuf out) {
        for (int i = 0; i < fields; i++) {
            if (isRemoved(i)) {
                continue;
            }
            int o = 4 * i;
            int nameLength = offsets[o + 1] - offsets[o];
            int valueLength = offsets[o + 3] - offsets[o + 2];
            out.ensureWritable(nameLength + valueLength + 4);
            out.writeBytes(bytes, offsets[o], nameLength);
            out.writeShort(COLON_SPACE);
            out.writeBytes(bytes, offsets[o + 2], valueLength);
            out.writeShort(CRLF);
        }
        if (added != null) {
            Iterator<Entry<CharSequence, CharSequence>> it = added.iteratorCharSequence();
            while (it.hasNext()) {
                Entry<CharSequence, CharSequence> e = it.next();
                writeAscii(out, e.getKey());
                out.writeShort(COLON_SPACE);
                writeAscii(out, e.getValue());
                out.writeShort(CRLF);
            }
        }
    }

    @Override
    public HttpHeaders copy() {
        return new DefaultHttpHeaders().set(this);
    }

    // ---- the received fields

    /** The index of the first kept received field from {@code from} on named {@code name}, or -1. */
    private int next(CharSequence name, int from) {
        int length = name.length();
        for (int i = from; i < fields; i++) {
            int o = 4 * i;
            if (offsets[o + 1] - offsets[o] == length && !isRemoved(i) && equal(offsets[o], offsets[o + 1], name, true)) {
                return i;
            }
        }
        return -1;
    }

    private void removeReceived(CharSequence name) {
        for (int i = next(name, 0); i >= 0; i = next(name, i + 1)) {
            markRemoved(i);
        }
    }

    private boolean isRemoved(int i) {
        return removed != null && (removed[i >>> 6] & (1L << i)) != 0;
    }

    private void markRemoved(int i) {
        if (removed == null) {
            removed = new long[(fields + 63) >>> 6];
        }
        if ((removed[i >>> 6] & (1L << i)) == 0) {
            removed[i >>> 6] |= 1L << i;
            removedCount++;
        }
    }

    private String name(int i) {
        return new String(bytes, offsets[4 * i], offsets[4 * i + 1] - offsets[4 * i], StandardCharsets.ISO_8859_1);
    }

    private String value(int i) {
        return new String(bytes, offsets[4 * i + 2], offsets[4 * i + 3] - offsets[4 * i + 2], StandardCharsets.ISO_8859_1);
    }

    private boolean equal(int start, int end, CharSequence s, boolean ignoreCase) {
        if (end - start != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int b = bytes[start + i] & 0xff;
            if (b != c && !(ignoreCase && c < 0x80 && lower(b) == lower(c))) {
                return false;
            }
        }
        return true;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    private DefaultHttpHeaders added() {
        if (added == null) {
            added = new DefaultHttpHeaders();
        }
        return added;
    }

    private static void writeAscii(ByteBuf out, CharSequence s) {
        if (s instanceof AsciiString ascii) {
            out.writeBytes(ascii.array(), ascii.arrayOffset(), ascii.length());
        } else {
            ByteBufUtil.writeAscii(out, s);
        }
    }
}
