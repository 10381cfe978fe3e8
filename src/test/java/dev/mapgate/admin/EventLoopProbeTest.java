package dev.mapgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopProbeTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(3,
            new DefaultThreadFactory("probe-test", true), NioIoHandler.newFactory());
    private final CountDownLatch unblock = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        unblock.countDown();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** What a blocking call on an I/O thread looks like from outside. */
    private void staysBlocked() {
        try {
            unblock.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean answer(EventLoopGroup group, Duration timeout) throws Exception {
        return EventLoopProbe.allAnswer(group, timeout).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aHealthyGroupAnswers() throws Exception {
        assertThat(answer(group, Duration.ofSeconds(2))).isTrue();
        assertThat(answer(group, Duration.ofSeconds(2))).as("and again: a probe leaves the loops as it found them")
                .isTrue();
    }

    @Test
    void oneStuckLoopMakesTheGroupUnhealthyWithinTheTimeout() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        group.next().execute(() -> {
            stuck.countDown();
            staysBlocked();
        });
        stuck.await();

        long started = System.nanoTime();
        boolean answered = answer(group, Duration.ofMillis(300));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(answered).as("two loops answering is not enough when the third is stuck").isFalse();
        assertThat(tookMillis).as("the answer comes at the timeout, not when the loop is free").isLessThan(3000);
    }

    @Test
    void theGroupIsHealthyAgainOnceTheLoopIsFree() throws Exception {
        group.next().execute(this::staysBlocked);
        assertThat(answer(group, Duration.ofMillis(200))).isFalse();

        unblock.countDown();

        assertThat(answer(group, Duration.ofSeconds(2))).isTrue();
    }

    @Test
    void aShutDownGroupDoesNotAnswer() throws Exception {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);

        assertThat(answer(group, Duration.ofSeconds(2))).isFalse();
    }

    @Test
    void aGroupShuttingDownDoesNotAnswer() throws Exception {
        group.shutdownGracefully(300, 5000, TimeUnit.MILLISECONDS);

        assertThat(answer(group, Duration.ofSeconds(2)))
                .as("a draining server's loops still run tasks, but the process is on its way out")
                .isFalse();
    }
}
