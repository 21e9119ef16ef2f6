package io.rlog.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an idempotent convergence step after every metadata change and on a timer, one run at a time; triggers
 * that arrive before or during a run make one more run. The node's reconcilers are built on it, so a lost
 * trigger only delays.
 */
final class ConvergenceLoop {

    private static final Logger LOG = LoggerFactory.getLogger(ConvergenceLoop.class);

    private final String name;
    private final Runnable step;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();

    ConvergenceLoop(String name, Runnable step, ScheduledExecutorService executor) {
        this.name = name;
        this.step = step;
        this.executor = executor;
    }

    void start(MetadataView view, long intervalMs) {
        view.onChange(this::trigger);
        executor.scheduleWithFixedDelay(this::trigger, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs the step soon. Never two runs at once (two concurrent group reconciles added every group twice);
     * triggers that arrive during a run make one more run after it.
     */
    void trigger() {
        pending.set(true);
        if (running.compareAndSet(false, true)) {
            try {
                executor.execute(this::runWhilePending);
            } catch (RejectedExecutionException e) {
                // The node is closing (its executor is shut down before its Raft groups): nothing to converge.
                running.set(false);
            }
        }
    }

    private void runWhilePending() {
        boolean finished = false;
        try {
            do {
                while (pending.getAndSet(false)) {
                    try {
                        step.run();
                    } catch (RuntimeException e) {
                        LOG.warn("{} failed: {}", name, e.toString());
                    }
                }
                running.set(false);
            } while (pending.get() && running.compareAndSet(false, true));
            finished = true;
        } finally {
            if (!finished) {
                running.set(false); // an Error escaped the step: the next trigger starts afresh
            }
        }
    }

    void triggerAfter(long delayMs) {
        try {
            executor.schedule(this::trigger, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing, as in trigger()
        }
    }
}
