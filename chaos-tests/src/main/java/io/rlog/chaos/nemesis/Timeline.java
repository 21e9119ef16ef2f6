package io.rlog.chaos.nemesis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Plays a schedule in real time: each fault starts and is healed at its scheduled offset from the workload's
 * start. Waiting for those instants is the point of a schedule, not synchronization, hence
 * {@link #waitDeliberatelyUntil}.
 */
public final class Timeline {
    private record Event(long atMs, Fault fault, boolean start) {}

    private final Schedule schedule;
    private final Nemesis nemesis;
    private final LongSupplier sinceStartMs;
    private final CountDownLatch cancelled = new CountDownLatch(1);

    /** @param sinceStartMs milliseconds since the workload started */
    public Timeline(Schedule schedule, Nemesis nemesis, LongSupplier sinceStartMs) {
        this.schedule = schedule;
        this.nemesis = nemesis;
        this.sinceStartMs = sinceStartMs;
    }

    /** Runs every event in order on the calling thread; returns early (leaving faults for healAll) if cancelled. */
    public void run() throws InterruptedException {
        List<Event> events = new ArrayList<>();
        for (Fault f : schedule.faults()) {
            events.add(new Event(f.startMs(), f, true));
            events.add(new Event(f.endMs(), f, false));
        }
        // At equal instants heal first, so back-to-back faults do not overlap by accident.
        events.sort(Comparator.comparingLong(Event::atMs).thenComparing(e -> e.start()));
        for (Event e : events) {
            if (waitDeliberatelyUntil(e.atMs())) {
                return;
            }
            if (e.start()) {
                nemesis.start(e.fault());
            } else {
                nemesis.heal(e.fault());
            }
        }
    }

    public void cancel() {
        cancelled.countDown();
    }

    /** Waits until the workload clock reads {@code atMs}; true if cancelled first. */
    private boolean waitDeliberatelyUntil(long atMs) throws InterruptedException {
        long delayMs = atMs - sinceStartMs.getAsLong();
        return delayMs > 0 ? cancelled.await(delayMs, TimeUnit.MILLISECONDS) : cancelled.getCount() == 0;
    }
}
