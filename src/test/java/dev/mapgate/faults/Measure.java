package dev.mapgate.faults;

import dev.mapgate.metrics.Metrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The figures the fault tests watch, read the way an operator would: open file descriptors,
 * mapgate's own origin connection gauge, the heap after a collection, Netty's direct memory.
 * mapgate runs in the test JVM, so these are its figures plus the test's own.
 */
final class Measure {

    private static final Path OWN_FDS = Path.of("/proc/self/fd");

    private Measure() {
    }

    /** Open file descriptors of this JVM (sockets included), from /proc. */
    static long fds() {
        try (Stream<Path> fds = Files.list(OWN_FDS)) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + OWN_FDS + "; the fault tests need Linux's /proc", e);
        }
    }

    /** mapgate's gauge of origin connections open now, pooled or in use. */
    static long originConnections(Metrics metrics) {
        return Math.round(metrics.registry().get("mapgate.origin.connections").gauge().value());
    }

    /** Heap in use once a full collection has run: what is really held, not garbage not yet collected. */
    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Direct memory held by Netty's default allocator, which mapgate's channels use. */
    static long nettyDirect() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    /** Polls {@code condition} every 10 ms until it holds or {@code wait} is over; returns the last answer. */
    static boolean eventually(BooleanSupplier condition, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    static long max(List<Long> values) {
        return Collections.max(values);
    }

    static long millisSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
