package dev.mapgate.soak;

import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestSite;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Sentry-like and browser-like traffic on a few keep-alive connections, one thread each, until
 * stopped: every {@link Kind} in turn, each response checked for its status and its bytes. A
 * failure is counted and the thread goes on (on a new connection if the old one broke), so one
 * failure does not hide the ones after it.
 */
final class MixedLoad {

    /** The soak's gate: this token in this header lets a client have the map. */
    static final String TOKEN_HEADER = "X-Sentry-Token";
    static final String TOKEN = "soak-steady-token-5f0c2a9e71d4";

    /** What one request is, where it comes from and what must come back. */
    enum Kind {
        MAP_ALLOWED(ALLOWED, false, get(TestSite.MAP, TOKEN_LINE),
                (r, site) -> expect(r, 200, site.content(TestSite.MAP), null)),
        MAP_NO_TOKEN(ALLOWED, false, get(TestSite.MAP), (r, site) -> denied(r)),
        MAP_BAD_TOKEN(ALLOWED, false, get(TestSite.MAP, TOKEN_HEADER + ": soak-wrong-token-000000"), (r, site) -> denied(r)),
        /** The right token from an address outside allow-ips. */
        MAP_OTHER_ADDRESS("127.0.0.2", false, get(TestSite.MAP, TOKEN_LINE), (r, site) -> denied(r)),
        JS(ALLOWED, false, get(TestSite.SCRIPT), (r, site) -> expect(r, 200, site.content(TestSite.SCRIPT), null)),
        LARGE(ALLOWED, false, get(TestSite.LARGE), (r, site) -> expect(r, 200, site.content(TestSite.LARGE), null)),
        HEAD_JS(ALLOWED, true, RawClient.request("HEAD", TestSite.SCRIPT),
                (r, site) -> head(r, site.content(TestSite.SCRIPT).length)),
        HEAD_MAP(ALLOWED, true, RawClient.request("HEAD", TestSite.MAP, TOKEN_LINE),
                (r, site) -> head(r, site.content(TestSite.MAP).length)),
        RANGE_LARGE(ALLOWED, false, get(TestSite.LARGE, "Range: bytes=" + RangeSlice.FROM + "-" + RangeSlice.TO),
                (r, site) -> expect(r, 206,
                        Arrays.copyOfRange(site.content(TestSite.LARGE), RangeSlice.FROM, RangeSlice.TO + 1),
                        "bytes " + RangeSlice.FROM + "-" + RangeSlice.TO + "/" + site.content(TestSite.LARGE).length)),
        /** Sentry's first request for a map: the whole file, asked for as a range. */
        RANGE_MAP(ALLOWED, false, get(TestSite.MAP, TOKEN_LINE, "Range: bytes=0-134217727"),
                (r, site) -> expect(r, 206, site.content(TestSite.MAP), "bytes 0-" + (site.content(TestSite.MAP).length - 1)
                        + "/" + site.content(TestSite.MAP).length));

        final String source;
        final boolean head;
        final byte[] request;
        private final Check check;

        Kind(String source, boolean head, String request, Check check) {
            this.source = source;
            this.head = head;
            this.request = request.getBytes(StandardCharsets.ISO_8859_1);
            this.check = check;
        }

        /** @return what is wrong with the response, or {@code null} when it is right */
        String check(Response r, TestSite site) {
            return check.problem(r, site);
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private interface Check {
        String problem(Response r, TestSite site);
    }

    /** The source address in gate.allow-ips. */
    private static final String ALLOWED = "127.0.0.1";
    private static final String TOKEN_LINE = TOKEN_HEADER + ": " + TOKEN;

    private static String get(String path, String... headers) {
        return RawClient.request("GET", path, headers);
    }

    /** A slice of the large file that starts and ends inside buffers, not on their edges. */
    private static final class RangeSlice {
        static final int FROM = 3 * 1024 * 1024 + 7;
        static final int TO = 4 * 1024 * 1024 + 6;
    }

    private static final int KEPT_FAILURES = 20;

    private final InetSocketAddress address;
    private final TestSite site;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<Kind, LongAdder> served = new EnumMap<>(Kind.class);
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final long started = System.nanoTime();

    private MixedLoad(InetSocketAddress address, TestSite site) {
        this.address = address;
        this.site = site;
        for (Kind kind : Kind.values()) {
            served.put(kind, new LongAdder());
        }
    }

    /** Starts {@code clients} threads sending to mapgate at {@code address}. */
    static MixedLoad start(InetSocketAddress address, TestSite site, int clients) {
        MixedLoad load = new MixedLoad(address, site);
        for (int i = 0; i < clients; i++) {
            int first = i;
            Thread thread = new Thread(() -> load.run(first), "mixed-load-" + i);
            thread.setDaemon(true);
            load.threads.add(thread);
            thread.start();
        }
        return load;
    }

    /** Stops every client after its request in flight and returns what they saw. */
    Tally stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " did not stop within 60 s");
            }
        }
        return tally();
    }

    /** What the clients have seen so far. */
    Tally tally() {
        Map<Kind, Long> counts = new EnumMap<>(Kind.class);
        served.forEach((kind, n) -> counts.put(kind, n.sum()));
        return new Tally(counts, failed.sum(), List.copyOf(failures), bytes.sum(),
                (System.nanoTime() - started) / 1e9);
    }

    /**
     * The order each client sends in: every kind but the large file four times, then the large
     * file once, so that most requests are small, as on a real asset host, and 8 MiB still
     * streams through every few dozen requests.
     */
    private static final Kind[] SCHEDULE = schedule();

    private static Kind[] schedule() {
        List<Kind> order = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            Arrays.stream(Kind.values()).filter(k -> k != Kind.LARGE).forEach(order::add);
        }
        order.add(Kind.LARGE);
        return order.toArray(Kind[]::new);
    }

    /** Each thread starts at a different place in the schedule, so the threads do not move in step. */
    private void run(int first) {
        Kind[] kinds = SCHEDULE;
        Map<String, RawClient> connections = new java.util.HashMap<>();
        try {
            for (int i = first * 11; running.get(); i++) {
                Kind kind = kinds[i % kinds.length];
                try {
                    RawClient c = connections.get(kind.source);
                    if (c == null) {
                        c = RawClient.connect(address, kind.source);
                        connections.put(kind.source, c);
                    }
                    Response r = c.send(kind.request).read(kind.head);
                    bytes.add(r.body().length);
                    String problem = kind.check(r, site);
                    if (problem == null) {
                        served.get(kind).increment();
                    } else {
                        fail(kind, problem);
                    }
                    if ("close".equalsIgnoreCase(r.header("Connection"))) {
                        closeQuietly(connections.remove(kind.source));
                    }
                } catch (IOException | RuntimeException e) {
                    fail(kind, e.toString());
                    closeQuietly(connections.remove(kind.source));
                }
            }
        } finally {
            connections.values().forEach(MixedLoad::closeQuietly);
        }
    }

    private void fail(Kind kind, String problem) {
        failed.increment();
        if (failures.size() < KEPT_FAILURES) {
            failures.add(kind.label() + ": " + problem);
        }
    }

    private static String expect(Response r, int status, byte[] body, String contentRange) {
        if (r.status() != status) {
            return "status " + r.status() + ", expected " + status;
        }
        if (contentRange != null && !contentRange.equals(r.header("Content-Range"))) {
            return "Content-Range " + r.header("Content-Range") + ", expected " + contentRange;
        }
        if (!Arrays.equals(r.body(), body)) {
            return "body of " + r.body().length + " bytes differs from the file's " + body.length;
        }
        return null;
    }

    private static String denied(Response r) {
        if (r.status() != 404) {
            return "status " + r.status() + ", expected the gate's 404";
        }
        if (new String(r.body(), StandardCharsets.ISO_8859_1).contains(TestSite.SOAK_MARKER)) {
            return "the denial carries the map";
        }
        String cacheControl = r.header("Cache-Control");
        if (cacheControl == null || !cacheControl.contains("no-store")) {
            return "a denial a shared cache may keep: Cache-Control " + cacheControl;
        }
        return null;
    }

    private static String head(Response r, int length) {
        if (r.status() != 200) {
            return "status " + r.status() + ", expected 200";
        }
        if (!String.valueOf(length).equals(r.header("Content-Length"))) {
            return "Content-Length " + r.header("Content-Length") + ", expected " + length;
        }
        return null;
    }

    private static void closeQuietly(RawClient c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already broken
            }
        }
    }

    /** Requests answered right, by kind; failures with the first few messages. */
    record Tally(Map<Kind, Long> served, long failed, List<String> failures, long bytes, double seconds) {

        long total() {
            return served.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public String toString() {
            return total() + " requests answered right (" + served.entrySet().stream()
                    .map(e -> e.getKey().label() + " " + e.getValue()).collect(Collectors.joining(", "))
                    + "), " + failed + " failed, " + (bytes >> 20) + " MiB received, "
                    + String.format("%.0f req/s", total() / seconds);
        }
    }
}
