package dev.mapgate.admin;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** TEMPORARY stub until wip-admin merges. */
public final class EventLoopProbe {
    private EventLoopProbe() {
    }

    public static CompletionStage<Boolean> allAnswer(EventLoopGroup group, Duration timeout) {
        return CompletableFuture.completedFuture(true);
    }
}
