package io.rlog.kafka.fetch;

import io.rlog.broker.Broker;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fetches an append wakes run on the listener's wake threads, never on the thread that applied the append. */
class AppendWatchesTest {

    /** A broker whose only answer is the partition's next-append signal (the one call AppendWatches makes). */
    private static Broker signalling(AtomicReference<CompletableFuture<Void>> next) {
        return (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("nextAppend")) {
                        return next.get();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aWokenFetchRunsOnTheWakeThreadsAndTheApplierDoesNotWaitForIt() throws Exception {
        AtomicReference<CompletableFuture<Void>> next = new AtomicReference<>(new CompletableFuture<>());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ExecutorService wakes = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-fetch-wake"));
        try {
            AppendWatches watches = new AppendWatches(signalling(next), timer, wakes);
            AtomicReference<String> ranOn = new AtomicReference<>();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch ran = new CountDownLatch(1);
            watches.subscribe("t", 0, () -> {
                ranOn.set(Thread.currentThread().getName());
                try {
                    release.await(5, TimeUnit.SECONDS); // a slow read: the applier must not wait for it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.countDown();
            });

            CompletableFuture<Void> applied = next.getAndSet(new CompletableFuture<>());
            applied.complete(null); // what the partition's apply thread does after an append
            boolean applierWentOnFirst = ran.getCount() == 1;
            release.countDown();

            assertTrue(ran.await(10, TimeUnit.SECONDS), "the parked fetch was never woken");
            assertTrue(applierWentOnFirst, "the applying thread ran the woken fetch itself");
            assertEquals("test-fetch-wake", ranOn.get());
        } finally {
            wakes.shutdownNow();
            timer.shutdownNow();
        }
    }

    @Test
    void anAppendAfterTheListenerClosedDoesNotThrowIntoTheApplier() {
        AtomicReference<CompletableFuture<Void>> next = new AtomicReference<>(new CompletableFuture<>());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ExecutorService wakes = Executors.newSingleThreadExecutor();
        try {
            AppendWatches watches = new AppendWatches(signalling(next), timer, wakes);
            CountDownLatch ran = new CountDownLatch(1);
            watches.subscribe("t", 0, ran::countDown);
            wakes.shutdownNow();
            CompletableFuture<Void> applied = next.getAndSet(new CompletableFuture<>());
            assertDoesNotThrow(() -> applied.complete(null));
            assertFalse(applied.isCompletedExceptionally());
            assertEquals(1, ran.getCount(), "nothing runs once the listener's wake threads are gone");
        } finally {
            timer.shutdownNow();
        }
    }
}
