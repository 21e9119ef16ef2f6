package io.rlog.node;

import java.util.concurrent.ForkJoinPool;

/**
 * CompletableFuture runs its async steps that name no executor in the common ForkJoinPool, but only when that
 * pool's parallelism is at least 2; below that (the default on a machine with 2 cores or fewer) it starts a new
 * thread for every such step. Ratis and gRPC take such steps on their request paths, and starting a thread costs
 * milliseconds of CPU in a small VM. The pool's parallelism is read once, when the JVM first touches it, so
 * {@link #widen()} must run first thing in main.
 */
public final class CommonPool {
    static final String PARALLELISM_PROPERTY = "java.util.concurrent.ForkJoinPool.common.parallelism";
    static final int PARALLELISM_MIN = 2;

    private CommonPool() {}

    /** Raises the common pool's parallelism to at least 2 unless the user chose a value; call before any use. */
    public static void widen() {
        if (System.getProperty(PARALLELISM_PROPERTY) == null
                && Runtime.getRuntime().availableProcessors() - 1 < PARALLELISM_MIN) {
            System.setProperty(PARALLELISM_PROPERTY, String.valueOf(PARALLELISM_MIN));
        }
    }

    /** True when async steps without an executor each start a thread in this JVM. */
    public static boolean startsThreadPerTask() {
        return ForkJoinPool.getCommonPoolParallelism() < PARALLELISM_MIN;
    }
}
