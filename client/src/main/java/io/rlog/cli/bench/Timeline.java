package io.rlog.cli.bench;

import java.util.ArrayList;
import java.util.List;

/** What happened when during a case (fault, heal), in seconds after its first send. Thread-safe. */
final class Timeline {
    private final long originNanos;
    private final List<Event> events = new ArrayList<>();

    Timeline(long originNanos) {
        this.originNanos = originNanos;
    }

    synchronized void add(String what) {
        events.add(new Event((System.nanoTime() - originNanos) / 1e9, what));
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    long originNanos() {
        return originNanos;
    }

    record Event(double atS, String what) {}
}
