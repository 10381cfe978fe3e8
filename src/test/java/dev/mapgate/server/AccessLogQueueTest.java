package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.LogCapture;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccessLogQueueTest {

    private static final Duration FLUSH = Duration.ofSeconds(5);

    private final List<Long> written = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private AccessLogQueue queue;

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    @Test
    void linesAreWrittenInOrderOnTheWriterThreadNotTheCallers() {
        queue = new AccessLogQueue(1024, record(), () -> { }, Duration.ofSeconds(10));

        for (long i = 0; i < 1000; i++) {
            assertThat(queue.offer(line(i))).isTrue();
        }

        assertThat(queue.flush(FLUSH)).as("written within the flush timeout").isTrue();
        assertThat(written).as("every line, in the order the requests finished").hasSize(1000).isSorted();
        assertThat(threads).as("an event loop never writes the log itself").containsOnly("mapgate-access-log");
        assertThat(queue.dropped()).isZero();
    }

    @Test
    void theBatchIsSentOnceTheWriterCatchesUpAndBeforeAFlushReturns() {
        java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong writtenAtLastBatch = new java.util.concurrent.atomic.AtomicLong();
        queue = new AccessLogQueue(1024, record(), () -> {
            batches.incrementAndGet();
            writtenAtLastBatch.set(written.size());
        }, Duration.ofSeconds(10));

        for (long i = 0; i < 500; i++) {
            queue.offer(line(i));
        }

        assertThat(queue.flush(FLUSH)).isTrue();
        assertThat(writtenAtLastBatch.get()).as("at shutdown the last lines must have left, not sit in a buffer")
                .isEqualTo(500);
        assertThat(batches.get()).as("one send per catch-up, not one per line").isBetween(1, 100);
    }

    @Test
    void aFullQueueDropsAndCountsLinesInsteadOfMakingTheEventLoopWait() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch writing = new CountDownLatch(1);
        queue = new AccessLogQueue(8, line -> {
            writing.countDown();
            await(stuck);
            written.add(line.bytesOut());
        }, () -> { }, Duration.ofSeconds(10));
        queue.offer(line(0));
        assertThat(writing.await(5, TimeUnit.SECONDS)).as("the writer took the first line").isTrue();

        // A stdout that no longer drains: the writer is stuck on line 0, eight more fit.
        int accepted = 0;
        for (long i = 1; i <= 20; i++) {
            accepted += queue.offer(line(i)) ? 1 : 0;
        }

        assertThat(accepted).as("lines the queue holds while the writer is stuck").isEqualTo(8);
        assertThat(queue.dropped()).as("the rest are dropped and counted; offer returned at once").isEqualTo(12);
        assertThat(queue.flush(Duration.ofMillis(50))).as("a flush cannot finish while the writer is stuck").isFalse();

        stuck.countDown();
        assertThat(queue.flush(FLUSH)).isTrue();
        assertThat(written).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(LogCapture.awaitLine("dev.mapgate.server.AccessLogQueue", "event=access-log-dropped",
                "lines=12", "total=12")).as("the writer says so once it catches up").isNotNull();
    }

    @Test
    void aLineThatCannotBeWrittenDoesNotEndTheLog() {
        queue = new AccessLogQueue(16, line -> {
            if (line.bytesOut() == 1) {
                throw new IllegalStateException("appender failed");
            }
            written.add(line.bytesOut());
        }, () -> { }, Duration.ofSeconds(10));

        for (long i = 0; i < 3; i++) {
            queue.offer(line(i));
        }

        assertThat(queue.flush(FLUSH)).isTrue();
        assertThat(written).containsExactly(0L, 2L);
    }

    private Consumer<AccessLine> record() {
        return line -> {
            written.add(line.bytesOut());
            threads.add(Thread.currentThread().getName());
        };
    }

    /** A line told apart by its byte count. */
    private static AccessLine line(long n) {
        return new AccessLine(null, null, null, HttpMethod.GET, null, 200, n, 0, 1, null, true, "-");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
