package io.rlog.cli.bench;

/**
 * When an open-loop producer means to send record i: {@code start + i / rate}, whatever happened to earlier
 * sends. Latency is measured from this intended time, not from the moment send() was finally called, so a stall
 * shows in every record it delayed (no coordinated omission). Pure.
 */
public record OpenLoopSchedule(long startNanos, int ratePerS) {
    public OpenLoopSchedule {
        if (ratePerS <= 0) {
            throw new IllegalArgumentException("rate must be > 0, got " + ratePerS);
        }
    }

    public long intendedNanos(long i) {
        // Split so i * 1e9 cannot overflow for any realistic i.
        return startNanos + (i / ratePerS) * 1_000_000_000L + (i % ratePerS) * 1_000_000_000L / ratePerS;
    }
}
