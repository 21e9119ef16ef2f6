package io.rlog.node;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvergenceLoopTest {

    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(4);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void runsOneAtATimeAndOnceMoreForTriggersDuringARun() throws Exception {
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ConvergenceLoop loop = new ConvergenceLoop("test", () -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            int run = runs.incrementAndGet();
            if (run == 1) {
                firstStarted.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            concurrent.decrementAndGet();
        }, executor);
        loop.trigger();
        assertTrue(firstStarted.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 20; i++) {
            loop.trigger(); // four pool threads free: none may start a second run now
        }
        release.countDown();
        InJvmCluster.await("the follow-up run", 10_000, () -> runs.get() == 2);
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(2, runs.get(), "the triggers during the first run make exactly one more");
        assertEquals(1, maxConcurrent.get(), "never two runs at once");
    }

    @Test
    void aFailingStepDoesNotStopLaterRuns() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        ConvergenceLoop loop = new ConvergenceLoop("test", () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("boom");
        }, executor);
        loop.trigger();
        InJvmCluster.await("first run", 10_000, () -> runs.get() == 1);
        InJvmCluster.await("loop idle again", 10_000, () -> {
            loop.trigger();
            return runs.get() >= 2;
        });
    }

    /** A node shuts its executor before its Raft groups, whose applies still trigger loops: no exception may escape. */
    @Test
    void triggersAfterTheExecutorIsShutAreDropped() {
        AtomicInteger runs = new AtomicInteger();
        ConvergenceLoop loop = new ConvergenceLoop("test", runs::incrementAndGet, executor);
        executor.shutdown();
        assertDoesNotThrow(loop::trigger);
        assertDoesNotThrow(() -> loop.triggerAfter(10));
        assertDoesNotThrow(loop::trigger);
        assertEquals(0, runs.get());
    }
}
