package io.rlog.chaos.workload;

import io.rlog.chaos.history.Recorder;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the client threads of one run share: where to connect, what to record into, unique values and process
 * ids, and the stop signal.
 */
public final class WorkloadContext {
    private final Recorder recorder;
    private final String bootstrap;
    private final String topic;
    private final WorkloadParams params;
    private final SplittableRandom seeds;
    private final AtomicInteger processes = new AtomicInteger();
    /** Values are unique across the run, so every value names exactly one send. */
    private final AtomicLong values = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public WorkloadContext(Recorder recorder, String bootstrap, String topic, WorkloadParams params, long seed) {
        this.recorder = recorder;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.params = params;
        this.seeds = new SplittableRandom(seed);
    }

    public Recorder recorder() {
        return recorder;
    }

    public String bootstrap() {
        return bootstrap;
    }

    public String topic() {
        return topic;
    }

    public WorkloadParams params() {
        return params;
    }

    int nextProcess() {
        return processes.incrementAndGet();
    }

    long nextValue() {
        return values.incrementAndGet();
    }

    /** A random source for one worker, split from the run's seed (so worker choices replay with it). */
    synchronized SplittableRandom randomForWorker() {
        return seeds.split();
    }

    public void stop() {
        stopped.countDown();
    }

    boolean isStopped() {
        return stopped.getCount() == 0;
    }

    /**
     * Waits for {@code ms} unless the run stops first; true if it stopped. For pacing and crash intervals,
     * which are deliberate delays of the workload, not synchronization.
     */
    boolean pauseDeliberately(long ms) throws InterruptedException {
        return ms > 0 ? stopped.await(ms, TimeUnit.MILLISECONDS) : isStopped();
    }

    /** The next crash instant for a client started now: exponential around the mean, or never. */
    long crashAfterMs(SplittableRandom r) {
        long mean = params.clientCrashMs();
        return mean == 0 ? Long.MAX_VALUE : (long) (-Math.log(1 - r.nextDouble()) * mean) + 1_000;
    }
}
