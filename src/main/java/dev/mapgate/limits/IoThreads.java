package dev.mapgate.limits;

/**
 * How many event loops {@code listen.io-threads = 0} starts: one per core less one, and at least
 * one. Netty's own default, two per core, started four loops on a 2-core machine, where they
 * fought each other, the kernel's network work and the origin for two cores, and every loop that
 * lost a time slice stalled all of its connections. A proxy spends most of each request in the
 * kernel (about 11 us of kernel time against 2-8 us of its own on the benchmark machine), and the
 * web server it fronts usually runs beside it: the core left over goes to them, and to the garbage
 * collector and the access log's writer.
 */
public final class IoThreads {

    private IoThreads() {
    }

    /**
     * @param configured listen.io-threads: 0 for the default, else the count to start
     * @param cores      the processors the JVM may use ({@code Runtime.availableProcessors()},
     *                   which follows a container's CPU limit and -XX:ActiveProcessorCount)
     */
    public static int resolve(int configured, int cores) {
        if (configured > 0) {
            return configured;
        }
        return Math.max(1, cores - 1);
    }

    /** Why {@link #resolve} chose what it did, for the startup log. */
    public static String reason(int configured, int cores) {
        return configured > 0 ? "listen.io-threads" : "one per core less one, of " + cores + " cores";
    }
}
