package dev.mapgate.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FileWatcherTest {

    @Test
    void twoChecksRunOnOneThreadEachAtItsOwnInterval() throws InterruptedException {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch bothRan = new CountDownLatch(2);
        try (FileWatcher watcher = new FileWatcher("test-watcher")) {
            watcher.every(Duration.ofMillis(20), "a-error", () -> {
                threads.add(Thread.currentThread());
                bothRan.countDown();
            });
            watcher.every(Duration.ofMillis(30), "b-error", () -> {
                threads.add(Thread.currentThread());
                bothRan.countDown();
            });
            assertThat(bothRan.await(5, TimeUnit.SECONDS)).as("both checks ran").isTrue();
        }
        assertThat(threads).as("config and TLS checks share one thread").hasSize(1)
                .allMatch(t -> t.getName().equals("test-watcher") && t.isDaemon());
    }

    @Test
    void aCheckThatThrowsKeepsRunningAndClosingItsWatchStopsOnlyIt() throws InterruptedException {
        AtomicInteger failing = new AtomicInteger();
        CountDownLatch retried = new CountDownLatch(3);
        try (FileWatcher watcher = new FileWatcher("test-watcher")) {
            Watch throwing = watcher.every(Duration.ofMillis(10), "test-error", () -> {
                failing.incrementAndGet();
                retried.countDown();
                throw new IllegalStateException("disk gone");
            });
            assertThat(retried.await(5, TimeUnit.SECONDS)).as("a failure does not end the checks").isTrue();
            throwing.close();
            CountDownLatch other = new CountDownLatch(3);
            watcher.every(Duration.ofMillis(10), "other-error", other::countDown);
            int stoppedAt = failing.get();
            assertThat(other.await(5, TimeUnit.SECONDS)).as("the watcher still runs other checks").isTrue();
            assertThat(failing.get()).as("the closed check ran at most once more").isLessThanOrEqualTo(stoppedAt + 1);
        }
    }
}
