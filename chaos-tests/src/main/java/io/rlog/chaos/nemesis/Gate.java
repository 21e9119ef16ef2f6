package io.rlog.chaos.nemesis;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Open or shut; a pipe thread waits at a shut gate until it opens or the proxy closes. */
final class Gate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean open = true;
    private boolean closedForGood;

    void set(boolean isOpen) {
        lock.lock();
        try {
            open = isOpen;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isOpen() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /** Ends every wait for good (the proxy is closing). */
    void closeForGood() {
        lock.lock();
        try {
            closedForGood = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the gate is open; false if the proxy closed meanwhile. */
    boolean awaitOpen() throws InterruptedException {
        lock.lock();
        try {
            while (!open && !closedForGood) {
                changed.await(1, TimeUnit.SECONDS); // the bound only guards against a lost signal
            }
            return !closedForGood;
        } finally {
            lock.unlock();
        }
    }
}
