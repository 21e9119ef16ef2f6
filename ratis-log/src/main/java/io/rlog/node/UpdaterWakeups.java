package io.rlog.node;

import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.AwaitForSignal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Stops idle partition groups from waking up ten times a second.
 *
 * <p>Each Ratis 3.3 division runs a StateMachineUpdater thread that waits for the next commit with a
 * hard-coded 100 ms timeout, so an idle group wakes 10 times a second. On this project's 2-core machine a
 * wake-up costs 24-38 us of CPU (measured with plain threads doing the same timed wait), so a node hosting
 * 1,000 groups spends a quarter to a third of a core on nothing. The timeout also bounds a lost wake-up:
 * Ratis's signal is not sticky, so a commit signalled between the updater's check and its wait is only noticed
 * when the wait times out.
 *
 * <p>{@link #install} replaces that updater's signal object (a private field, found by reflection; Ratis is
 * pinned at 3.3.0 and {@code UpdaterWakeupsTest} fails if the field moves) with a {@link StickySignal}: a
 * signal given while nobody waits is kept for the next wait, so the wait can be long ({@link #IDLE_WAIT_MS})
 * without ever delaying a commit. Nothing else depends on the timeout: stop and reload signal the updater, and
 * rlog does not use Ratis's snapshot-request API, the one request the updater only polls for.
 * If the fields are not found, the division keeps Ratis's own behaviour and a warning is logged once.
 */
final class UpdaterWakeups {

    private static final Logger LOG = LoggerFactory.getLogger(UpdaterWakeups.class);

    /** How long an idle updater waits for a signal before it looks again (node setting raft.updater.idle.wait.ms). */
    static final long IDLE_WAIT_MS = 5_000;

    private static final Field STATE;
    private static final Method GET_UPDATER;
    private static final Field AWAIT;
    private static volatile boolean warned;

    static {
        Field state = null;
        Method getUpdater = null;
        Field await = null;
        try {
            Class<?> impl = Class.forName("org.apache.ratis.server.impl.RaftServerImpl");
            state = impl.getDeclaredField("state");
            state.setAccessible(true);
            getUpdater = state.getType().getDeclaredMethod("getStateMachineUpdater");
            getUpdater.setAccessible(true);
            await = getUpdater.getReturnType().getDeclaredField("awaitForSignal");
            await.setAccessible(true);
            if (!AwaitForSignal.class.equals(await.getType())) {
                await = null;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Ratis internals changed; idle partition groups keep waking every 100 ms: {}", e.toString());
            warned = true;
        }
        STATE = state;
        GET_UPDATER = getUpdater;
        AWAIT = await;
    }

    private UpdaterWakeups() {}

    /** Whether this Ratis version has the fields {@link #install} replaces. */
    static boolean supported() {
        return AWAIT != null;
    }

    /**
     * Gives the division's state machine updater a {@link StickySignal}; true when it has one now (also when it
     * had one already), false when the division is not started yet or Ratis differs (then nothing changed).
     */
    static boolean install(RaftServer.Division division, long idleWaitMs) {
        if (!supported()) {
            return false;
        }
        try {
            Object updater = updater(division);
            if (AWAIT.get(updater) instanceof StickySignal) {
                return true;
            }
            // Starts signalled: a commit signalled on the old object just before the swap is then not missed.
            AWAIT.set(updater, new StickySignal(division.getMemberId(), true, idleWaitMs));
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (e.getCause() instanceof IllegalStateException) {
                return false; // the updater does not exist before the division starts
            }
            if (!warned) {
                warned = true;
                LOG.warn("cannot replace the state machine updater's signal of {}: {}", division.getMemberId(),
                        e.toString());
            }
            return false;
        }
    }

    private static Object updater(RaftServer.Division division) throws ReflectiveOperationException {
        return GET_UPDATER.invoke(STATE.get(division));
    }

    /** Whether {@link #install} has replaced this division's signal (for tests and metrics). */
    static boolean installed(RaftServer.Division division) {
        if (!supported()) {
            return false;
        }
        try {
            return AWAIT.get(updater(division)) instanceof StickySignal;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * A signal that is not lost when nobody waits: {@link #signal} sets a flag that the next {@link #await}
     * consumes. A timed wait returns true when signalled (before or during the wait) and waits at most
     * its idle wait whatever time the caller asks for; the caller re-checks its condition either way.
     */
    static final class StickySignal extends AwaitForSignal {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition signalled = lock.newCondition();
        private final long idleWaitNs;
        private boolean pending;

        StickySignal(Object name, boolean pending, long idleWaitMs) {
            super(name);
            this.pending = pending;
            this.idleWaitNs = TimeUnit.MILLISECONDS.toNanos(idleWaitMs);
        }

        @Override
        public void await() throws InterruptedException {
            lock.lock();
            try {
                while (!pending) {
                    signalled.await();
                }
                pending = false;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            lock.lock();
            try {
                long leftNs = idleWaitNs;
                while (!pending && leftNs > 0) {
                    leftNs = signalled.awaitNanos(leftNs);
                }
                boolean was = pending;
                pending = false;
                return was;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void signal() {
            lock.lock();
            try {
                pending = true;
                signalled.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
