package io.rlog.chaos.nemesis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** The faults of one run, by start time. Prints as the faults joined by {@code ;} ("none" when empty). */
public record Schedule(List<Fault> faults) {
    public Schedule {
        List<Fault> sorted = new ArrayList<>(faults);
        sorted.sort(Comparator.comparingLong(Fault::startMs));
        faults = List.copyOf(sorted);
    }

    public static Schedule none() {
        return new Schedule(List.of());
    }

    public static Schedule parse(String s) {
        if (s.isBlank() || s.strip().equals("none")) {
            return none();
        }
        List<Fault> out = new ArrayList<>();
        for (String part : s.split(";")) {
            out.add(Fault.parse(part));
        }
        return new Schedule(out);
    }

    /** Total fault time in milliseconds (overlapping faults count separately). */
    public long faultMs() {
        return faults.stream().mapToLong(Fault::durationMs).sum();
    }

    /** When the last fault is healed, or 0. */
    public long endMs() {
        return faults.stream().mapToLong(Fault::endMs).max().orElse(0);
    }

    @Override
    public String toString() {
        return faults.isEmpty() ? "none" : faults.stream().map(Fault::toString).collect(Collectors.joining(";"));
    }
}
