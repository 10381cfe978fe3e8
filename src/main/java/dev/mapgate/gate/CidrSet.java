package dev.mapgate.gate;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A set of CIDRs and single addresses, IPv4 and IPv6: the addresses the gate allows, and the
 * trusted proxies.
 *
 * <p>Entries are IP literals, never host names: resolving names would make the gate depend on DNS.
 * An IPv4-mapped IPv6 client ({@code ::ffff:a.b.c.d}) is matched as its IPv4 address, and an
 * IPv4-mapped entry with a prefix of at least 96 is stored as the IPv4 range it denotes.
 */
public final class CidrSet {

    // Parallel arrays rather than objects so contains() is a tight loop over primitives.
    private final int[] v4Networks;
    private final int[] v4Masks;
    private final long[] v6NetworksHigh;
    private final long[] v6NetworksLow;
    private final long[] v6MasksHigh;
    private final long[] v6MasksLow;
    private final List<String> entries;

    private CidrSet(List<int[]> v4, List<long[]> v6, List<String> entries) {
        v4Networks = new int[v4.size()];
        v4Masks = new int[v4.size()];
        for (int i = 0; i < v4.size(); i++) {
            v4Networks[i] = v4.get(i)[0];
            v4Masks[i] = v4.get(i)[1];
        }
        v6NetworksHigh = new long[v6.size()];
        v6NetworksLow = new long[v6.size()];
        v6MasksHigh = new long[v6.size()];
        v6MasksLow = new long[v6.size()];
        for (int i = 0; i < v6.size(); i++) {
            long[] e = v6.get(i);
            v6NetworksHigh[i] = e[0];
            v6NetworksLow[i] = e[1];
            v6MasksHigh[i] = e[2];
            v6MasksLow[i] = e[3];
        }
        this.entries = entries;
    }

    /** @throws InvalidEntry naming the bad entry and its position in {@code entries} */
    public static CidrSet parse(List<String> entries) {
        Objects.requireNonNull(entries, "entries");
        List<int[]> v4 = new ArrayList<>();
        List<long[]> v6 = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            try {
                parseEntry(entries.get(i), v4, v6);
            } catch (IllegalArgumentException e) {
                throw new InvalidEntry(InvalidEntry.Field.ADDRESS, i, entries.get(i), e.getMessage());
            }
        }
        return new CidrSet(v4, v6, List.copyOf(entries));
    }

    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return containsV4(int32(b, 0));
        }
        if (b.length != 16) {
            return false;
        }
        long high = int64(b, 0);
        long low = int64(b, 8);
        if (high == 0 && (low >>> 32) == 0xFFFFL) {
            return containsV4((int) low);
        }
        for (int i = 0; i < v6NetworksHigh.length; i++) {
            if ((high & v6MasksHigh[i]) == v6NetworksHigh[i] && (low & v6MasksLow[i]) == v6NetworksLow[i]) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return v4Networks.length == 0 && v6NetworksHigh.length == 0;
    }

    /** The entries as configured. */
    public List<String> entries() {
        return entries;
    }

    @Override
    public String toString() {
        return "CidrSet" + entries;
    }

    private boolean containsV4(int address) {
        for (int i = 0; i < v4Networks.length; i++) {
            if ((address & v4Masks[i]) == v4Networks[i]) {
                return true;
            }
        }
        return false;
    }

    private static void parseEntry(String entry, List<int[]> v4, List<long[]> v6) {
        if (entry == null || entry.isBlank()) {
            throw bad(entry, "is empty");
        }
        String trimmed = entry.strip();
        int slash = trimmed.indexOf('/');
        String literal = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = parseLiteral(entry, literal);
        int maxPrefix = bytes.length * 8;
        int prefix = slash < 0 ? maxPrefix : parsePrefix(entry, trimmed.substring(slash + 1), maxPrefix);

        byte[] network = bytes.clone();
        maskInPlace(network, prefix);
        if (!Arrays.equals(network, bytes)) {
            throw bad(entry, "has host bits set beyond the /" + prefix + " prefix; did you mean "
                    + NetUtil.bytesToIpAddress(network) + "/" + prefix + "?");
        }
        if (bytes.length == 16 && prefix >= 96 && isV4Mapped(bytes)) {
            bytes = Arrays.copyOfRange(bytes, 12, 16);
            prefix -= 96;
        }
        if (bytes.length == 4) {
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            v4.add(new int[] {int32(bytes, 0), mask});
        } else {
            long maskHigh = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
            long maskLow = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
            v6.add(new long[] {int64(bytes, 0), int64(bytes, 8), maskHigh, maskLow});
        }
    }

    private static byte[] parseLiteral(String entry, String literal) {
        // Netty accepts brackets, zone ids and leading zeros; each is ambiguous in an allow list.
        if (literal.indexOf('[') >= 0 || literal.indexOf('%') >= 0) {
            throw bad(entry, "is not a plain IP address literal (no brackets or zone ids)");
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
        if (bytes == null) {
            throw bad(entry, "is not an IPv4 or IPv6 address literal (host names are not resolved)");
        }
        if (bytes.length == 4 && hasLeadingZero(literal)) {
            throw bad(entry, "has an IPv4 octet with a leading zero, which some tools read as octal");
        }
        return bytes;
    }

    private static boolean hasLeadingZero(String v4) {
        for (String octet : v4.split("\\.")) {
            if (octet.length() > 1 && octet.charAt(0) == '0') {
                return true;
            }
        }
        return false;
    }

    private static int parsePrefix(String entry, String text, int maxPrefix) {
        if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(entry, "has a prefix length that is not a number");
        }
        int prefix = Integer.parseInt(text);
        if (prefix > maxPrefix) {
            throw bad(entry, "has prefix length " + prefix + ", out of range 0.." + maxPrefix);
        }
        return prefix;
    }

    private static void maskInPlace(byte[] bytes, int prefix) {
        for (int i = 0; i < bytes.length; i++) {
            int bitsInByte = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xFF00 >>> bitsInByte);
        }
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    private static int int32(byte[] b, int offset) {
        return (b[offset] & 0xFF) << 24 | (b[offset + 1] & 0xFF) << 16 | (b[offset + 2] & 0xFF) << 8
                | (b[offset + 3] & 0xFF);
    }

    private static long int64(byte[] b, int offset) {
        return (long) int32(b, offset) << 32 | (int32(b, offset + 4) & 0xFFFFFFFFL);
    }

    private static IllegalArgumentException bad(String entry, String problem) {
        return new IllegalArgumentException("entry '" + entry + "' " + problem);
    }
}
