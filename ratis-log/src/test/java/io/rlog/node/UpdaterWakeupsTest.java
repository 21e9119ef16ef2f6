package io.rlog.node;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sticky signal alone; ClusterRoundTripTest covers its installation in real Ratis divisions. */
class UpdaterWakeupsTest {

    @Test
    void ratisHasTheFieldsItReplaces() {
        assertTrue(UpdaterWakeups.supported(), "Ratis 3.3.0's StateMachineUpdater.awaitForSignal");
    }

    @Test
    void aSignalGivenWhileNobodyWaitsIsKeptForTheNextWait() throws Exception {
        UpdaterWakeups.StickySignal s = new UpdaterWakeups.StickySignal("t", false, UpdaterWakeups.IDLE_WAIT_MS);
        s.signal();
        assertTrue(s.await(100, TimeUnit.MILLISECONDS), "the earlier signal is seen");
        s.signal();
        s.await(); // returns: the signal is kept for the untimed wait too
    }

    @Test
    void startsSignalledWhenAsked() throws Exception {
        assertTrue(new UpdaterWakeups.StickySignal("t", true, UpdaterWakeups.IDLE_WAIT_MS).await(1, TimeUnit.MILLISECONDS));
    }

    @Test
    void aWaiterIsWokenBySignal() throws Exception {
        UpdaterWakeups.StickySignal s = new UpdaterWakeups.StickySignal("t", false, UpdaterWakeups.IDLE_WAIT_MS);
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                return s.await(1, TimeUnit.MILLISECONDS); // waits up to IDLE_WAIT_MS, not 1 ms
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        waiting.await();
        s.signal();
        assertTrue(woken.get(UpdaterWakeups.IDLE_WAIT_MS * 4, TimeUnit.MILLISECONDS), "woken by the signal");
        assertFalse(woken.isCompletedExceptionally());
    }
}
