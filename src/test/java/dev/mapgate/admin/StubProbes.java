package dev.mapgate.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Probes whose answers a test sets: readiness directly, liveness one future per probe. */
final class StubProbes implements Probes {

    volatile boolean ready = true;
    /** What the next {@link #eventLoopsAnswer()} returns; a test completes it when it likes. */
    volatile CompletableFuture<Boolean> loops = CompletableFuture.completedFuture(true);

    @Override
    public CompletionStage<Boolean> eventLoopsAnswer() {
        return loops;
    }

    @Override
    public boolean ready() {
        return ready;
    }
}
