package dev.mapgate.admin;

import java.util.concurrent.CompletionStage;

/** What the health endpoints ask the running server. */
public interface Probes {

    /**
     * Completes with {@code true} once every I/O event loop has run a small task: a loop that
     * does not answer (stuck in a blocking call, a busy spin) means the process is not healthy,
     * even though the admin listener, on its own thread, still answers.
     */
    CompletionStage<Boolean> eventLoopsAnswer();

    /** True while the listener accepts and the config is loaded; false once draining has begun. */
    boolean ready();
}
