package dev.mapgate.gate;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;
import org.bouncycastle.crypto.macs.SipHash;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Counts failed credentials under a key: a client address, or one derived from it (a Basic user
 * from that address, all the address's passwords); and tells when a key failed too often and is
 * cooling down. Which keys a credential counts under, and what a cool-down refuses, is decided by
 * {@link GuessLimiter}: guesses, never a credential that is cheap to prove right.
 *
 * <p><b>Bounded memory.</b> The table is one array of {@code capacity} slots, allocated at
 * construction and never grown; each slot holds at most one small immutable entry. A flood of
 * distinct addresses therefore costs no more memory than a full table. Each address may live in
 * one of two slots chosen by a keyed hash. A new address takes an empty or expired one, else the
 * one whose address failed least recently. An address in cool-down is never pushed out: the
 * failures that tripped it were real guesses, and flooding the table with other addresses must
 * not be a way to end its cool-down early. So when both slots of a new address hold addresses in
 * cool-down, the new one is not counted until one of them ends. Filling a table that way takes
 * about {@code capacity} keys that each trip the throttle. One address trips at most a few: its
 * passwords' key bounds how many user keys it can fail in a cool-down's time (GuessLimiter), so
 * it takes thousands of addresses, and whoever has that many can guess as fast from them without
 * any table in the way.
 *
 * <p><b>Keys.</b> An IPv4 address counts on its own. An IPv6 address counts by its /64 prefix:
 * a host is normally given a whole /64 (SLAAC, privacy addresses) and can pick any address in it,
 * so counting single IPv6 addresses would let one host start afresh with every request.
 *
 * <p><b>Hash.</b> An entry holds its whole key, so addresses that share slots never share a
 * count; but a newcomer can push out an address that is still counting. SipHash with a random key
 * per process keeps anyone from choosing addresses that land in a given address's slots, e.g. to
 * reset their own count just before it trips.
 *
 * <p><b>Threads.</b> Called from every event loop. Lock-free: a slot's entry is replaced by
 * compare-and-set, and a lost race retries. Two threads that both add the same new address may
 * give it a slot each; one of them is then never found and is reused like an expired one, and a
 * failure may go uncounted. A throttle can afford that.
 *
 * <p><b>Limits.</b> Passed with each failure, from the current settings. An entry keeps the end
 * of its window or cool-down as computed when it was written: a new {@code window} or
 * {@code cool-down} applies from an address's next window, a new {@code max-failures} at once.
 */
public final class FailureThrottle {

    /**
     * Marks an IPv4 key. As the first half of an IPv6 address it would be in ff00::/8, multicast,
     * which is never the source of a connection: no IPv6 /64 shares a key with an IPv4 address.
     */
    private static final long IPV4_KEY = 0xFFFF_FFFF_0000_0000L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final byte USER_MARK = (byte) 0xFF;
    private static final byte PASSWORDS_MARK = (byte) 0xFE;
    private static final byte SITE_MARK = (byte) 0xFD;

    private final AtomicReferenceArray<Entry> slots;
    private final LongSupplier nanoTime;
    private final KeyParameter hashKey;

    /** @param capacity the most addresses tracked at once (the configured most-tracked count) */
    public FailureThrottle(int capacity) {
        this(capacity, System::nanoTime);
    }

    /** @param nanoTime a clock like {@link System#nanoTime()}, so that tests can move time on */
    public FailureThrottle(int capacity, LongSupplier nanoTime) {
        this(capacity, nanoTime, randomHashKey());
    }

    /** @param hashKey 16 bytes; fixed only in tests that need the same slots on every run */
    FailureThrottle(int capacity, LongSupplier nanoTime, byte[] hashKey) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.slots = new AtomicReferenceArray<>(capacity);
        this.nanoTime = nanoTime;
        this.hashKey = new KeyParameter(hashKey);
    }

    /**
     * @return 0 when {@code client} is not cooling down; otherwise the whole seconds, rounded up
     *         and at least 1, until its cool-down ends, for {@code Retry-After}
     */
    public long blockedForSeconds(InetAddress client) {
        return client == null ? 0 : blockedForSeconds(keyOf(client));
    }

    /**
     * Counts one wrong credential from {@code client}. Unknown clients ({@code null}) are not
     * counted: they are denied on gated paths anyway, and they would all share one entry.
     *
     * @return whether this failure started a cool-down
     */
    public boolean recordFailure(InetAddress client, ThrottleSettings limits) {
        return client != null && recordFailure(keyOf(client), limits);
    }

    /** The key {@code client}'s own count is kept under (see {@link #keyOf}). */
    public long addressKey(InetAddress client) {
        return keyOf(client);
    }

    /**
     * The key of the Basic user {@code user} from {@code client}: a count apart from the
     * address's, so that guesses at one user's password do not lock out another. The name is
     * whatever the client sent, known user or not, so that the count tells nothing about which
     * users exist.
     */
    public long userKey(InetAddress client, String user) {
        return derivedKey(client, USER_MARK, user);
    }

    /** The key of every Basic password from {@code client}, whatever its user: a bound on spraying. */
    public long passwordsKey(InetAddress client) {
        return derivedKey(client, PASSWORDS_MARK, "");
    }

    /**
     * {@code key}'s count in one site: guesses at one site's credentials do not cool down another
     * site's. The gate's own settings ({@code site} null) keep the key as it is.
     */
    public long inSite(long key, String site) {
        if (site == null) {
            return key;
        }
        SipHash mac = new SipHash();
        mac.init(hashKey);
        update(mac, key);
        mac.update(SITE_MARK);
        byte[] bytes = site.getBytes(StandardCharsets.UTF_8);
        mac.update(bytes, 0, bytes.length);
        return mac.doFinal();
    }

    /** As {@link #blockedForSeconds(InetAddress)}, for a key from one of the key methods. */
    public long blockedForSeconds(long key) {
        long now = nanoTime.getAsLong();
        long hash = hash(key);
        Entry entry = find(key, first(hash), second(hash));
        if (entry == null || !entry.coolingDownAt(now)) {
            return 0;
        }
        long remaining = entry.until - now;
        return (remaining + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
    }

    /** As {@link #recordFailure(InetAddress, ThrottleSettings)}, for a key from one of the key methods. */
    public boolean recordFailure(long key, ThrottleSettings limits) {
        long hash = hash(key);
        int a = first(hash);
        int b = second(hash);
        while (true) {
            long now = nanoTime.getAsLong();
            Entry inA = slots.get(a);
            Entry inB = slots.get(b);
            int slot;
            Entry old;
            if (inA != null && inA.key == key) {
                slot = a;
                old = inA;
            } else if (inB != null && inB.key == key) {
                slot = b;
                old = inB;
            } else {
                slot = victim(a, inA, b, inB, now);
                if (slot < 0) {
                    return false;
                }
                old = slot == a ? inA : inB;
            }
            boolean counting = old != null && old.key == key && old.liveAt(now);
            if (counting && old.coolingDown) {
                // Its credential was checked before the cool-down began (e.g. during bcrypt).
                return false;
            }
            int failures = counting ? old.failures + 1 : 1;
            Entry next = failures >= limits.maxFailures()
                    ? Entry.tripped(key, now, limits)
                    : new Entry(key, failures, false, counting ? old.until : now + limits.window().toNanos(), now);
            if (slots.compareAndSet(slot, old, next)) {
                return next.coolingDown;
            }
        }
    }

    /** Addresses counting failures or cooling down now; at most {@link #capacity()}. */
    public int tracked() {
        long now = nanoTime.getAsLong();
        int live = 0;
        for (int i = 0; i < slots.length(); i++) {
            Entry entry = slots.get(i);
            if (entry != null && entry.liveAt(now)) {
                live++;
            }
        }
        return live;
    }

    public int capacity() {
        return slots.length();
    }

    /**
     * Where a new address goes: an empty or expired slot first, then the one that failed least
     * recently, never one cooling down.
     *
     * @return {@code a} or {@code b}, or -1 when both hold addresses cooling down
     */
    private static int victim(int a, Entry inA, int b, Entry inB, long now) {
        if (inA == null || !inA.liveAt(now)) {
            return a;
        }
        if (inB == null || !inB.liveAt(now)) {
            return b;
        }
        if (inA.coolingDown) {
            return inB.coolingDown ? -1 : b;
        }
        if (inB.coolingDown) {
            return a;
        }
        return inB.lastFailure - inA.lastFailure < 0 ? b : a;
    }

    private Entry find(long key, int a, int b) {
        Entry entry = slots.get(a);
        if (entry != null && entry.key == key) {
            return entry;
        }
        entry = slots.get(b);
        return entry != null && entry.key == key ? entry : null;
    }

    /** Lemire's multiply-shift: maps 32 hash bits onto [0, capacity) without a division. */
    private int first(long hash) {
        return (int) (((hash & 0xFFFF_FFFFL) * slots.length()) >>> 32);
    }

    /** Another slot than {@link #first}, from the other 32 bits, unless there is only one. */
    private int second(long hash) {
        int n = slots.length();
        if (n == 1) {
            return 0;
        }
        int other = (int) (((hash >>> 32) * (n - 1)) >>> 32);
        return other >= first(hash) ? other + 1 : other;
    }

    private long hash(long key) {
        SipHash mac = new SipHash();
        mac.init(hashKey);
        update(mac, key);
        return mac.doFinal();
    }

    /**
     * A key derived from an address's: a keyed hash of it, a mark and a name, equal to an
     * address's key or another derived one only by a 2^-64 chance. The mark keeps the kinds apart
     * (a user named "" is not the passwords count).
     */
    private long derivedKey(InetAddress client, byte mark, String name) {
        SipHash mac = new SipHash();
        mac.init(hashKey);
        update(mac, keyOf(client));
        mac.update(mark);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        mac.update(bytes, 0, bytes.length);
        return mac.doFinal();
    }

    private static void update(SipHash mac, long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            mac.update((byte) (value >>> shift));
        }
    }

    /** The key an address counts under: itself for IPv4, its /64 for IPv6. */
    static long keyOf(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return IPV4_KEY | (readLong(bytes, 0, 4) & 0xFFFF_FFFFL);
        }
        if (readLong(bytes, 0, 8) == 0 && readLong(bytes, 8, 4) == 0xFFFF) {
            // ::ffff:a.b.c.d is how a dual-stack socket may show an IPv4 client: the same client.
            return IPV4_KEY | (readLong(bytes, 12, 4) & 0xFFFF_FFFFL);
        }
        return readLong(bytes, 0, 8);
    }

    private static long readLong(byte[] bytes, int from, int length) {
        long value = 0;
        for (int i = from; i < from + length; i++) {
            value = (value << 8) | (bytes[i] & 0xFF);
        }
        return value;
    }

    private static byte[] randomHashKey() {
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /**
     * One address's state; replaced, never changed.
     *
     * @param failures    wrong credentials in the current window
     * @param coolingDown whether {@code until} ends a cool-down rather than a counting window
     * @param until       {@code nanoTime} at which the window or cool-down ends
     * @param lastFailure {@code nanoTime} of the latest failure; the least recent is pushed out first
     */
    private record Entry(long key, int failures, boolean coolingDown, long until, long lastFailure) {

        static Entry tripped(long key, long now, ThrottleSettings limits) {
            return new Entry(key, 0, true, now + limits.coolDown().toNanos(), now);
        }

        /** Differences, not comparisons: {@code nanoTime} may wrap. */
        boolean liveAt(long now) {
            return until - now > 0;
        }

        boolean coolingDownAt(long now) {
            return coolingDown && liveAt(now);
        }
    }
}
