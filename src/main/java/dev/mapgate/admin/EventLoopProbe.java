package dev.mapgate.admin;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Asks every event loop of a group to run an empty task: a loop that runs it is free to do its
 * work; one that does not within the timeout is stuck (a blocking call, a busy spin) or gone.
 * This is the liveness check behind {@code /healthz}.
 */
public final class EventLoopProbe {

    private EventLoopProbe() {
    }

    /**
     * Completes {@code true} once every loop of {@code group} has run a task, or {@code false}
     * when one has not within {@code timeout} or the group is shutting down. Never completes
     * exceptionally.
     *
     * <p>The timeout runs on the JDK's own delay thread ({@link CompletableFuture#orTimeout}),
     * not on {@code group}, whose loops are the ones that may be stuck; it is cancelled as soon
     * as the answer is known, so frequent probes leave no timers behind. A task sent to a stuck
     * loop stays queued there and runs, harmlessly, once the loop is free again.
     */
    public static CompletionStage<Boolean> allAnswer(EventLoopGroup group, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (group.isShuttingDown()) {
            return CompletableFuture.completedFuture(false);
        }
        List<CompletableFuture<Void>> ran = new ArrayList<>();
        for (EventExecutor loop : group) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            try {
                loop.execute(() -> done.complete(null));
            } catch (RejectedExecutionException shuttingDown) {
                return CompletableFuture.completedFuture(false);
            }
            ran.add(done);
        }
        return CompletableFuture.allOf(ran.toArray(CompletableFuture[]::new))
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .handle((allRan, failure) -> failure == null);
    }
}
