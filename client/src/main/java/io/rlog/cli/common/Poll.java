package io.rlog.cli.common;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waiting for a condition: the only way this tool waits for another process to change. */
public final class Poll {
    private Poll() {}

    /**
     * Checks {@code condition} every {@code interval} until it holds or {@code timeout} has passed.
     *
     * @return whether the condition held (it is checked once more at the deadline)
     * @throws InterruptedException so a caller that is being stopped stops waiting at once
     */
    public static boolean until(BooleanSupplier condition, Duration timeout, Duration interval)
            throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                return false;
            }
            Thread.sleep(Math.max(1, Math.min(interval.toMillis(), leftNs / 1_000_000)));
        }
    }
}
