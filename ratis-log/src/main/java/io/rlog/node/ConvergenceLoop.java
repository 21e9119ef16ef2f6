package io.rlog.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an idempotent convergence step after every metadata change and on a timer; triggers that arrive
 * before the step runs make one run. The node's reconcilers are built on it, so a lost trigger only delays.
 */
final class ConvergenceLoop {

    private static final Logger LOG = LoggerFactory.getLogger(ConvergenceLoop.class);

    private final String name;
    private final Runnable step;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();

    ConvergenceLoop(String name, Runnable step, ScheduledExecutorService executor) {
        this.name = name;
        this.step = step;
        this.executor = executor;
    }

    void start(MetadataView view, long intervalMs) {
        view.onChange(this::trigger);
        executor.scheduleWithFixedDelay(this::trigger, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    void trigger() {
        if (scheduled.compareAndSet(false, true)) {
            executor.execute(() -> {
                scheduled.set(false);
                try {
                    step.run();
                } catch (RuntimeException e) {
                    LOG.warn("{} failed: {}", name, e.toString());
                }
            });
        }
    }

    void triggerAfter(long delayMs) {
        executor.schedule(this::trigger, delayMs, TimeUnit.MILLISECONDS);
    }
}
