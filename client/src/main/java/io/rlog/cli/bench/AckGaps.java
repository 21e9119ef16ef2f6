package io.rlog.cli.bench;

/**
 * The longest time between two consecutive acknowledgements, and when it began: the client-visible
 * unavailability of a case (a failover shows as one long gap). Counted from the first acknowledgement, so
 * metadata and topic warm-up before it are not a gap. Times are passed in; thread-safe.
 */
public final class AckGaps {
    private final long originNanos;
    private long lastNanos = Long.MIN_VALUE;
    private long longestNanos;
    private long longestStartNanos;
    private long firstNanos = Long.MIN_VALUE;

    /** @param originNanos the case's start, which {@link Gap#startS()} is relative to */
    public AckGaps(long originNanos) {
        this.originNanos = originNanos;
    }

    public synchronized void ack(long nowNanos) {
        if (lastNanos == Long.MIN_VALUE) {
            firstNanos = nowNanos;
        } else if (nowNanos - lastNanos > longestNanos) {
            longestNanos = nowNanos - lastNanos;
            longestStartNanos = lastNanos;
        }
        lastNanos = Math.max(lastNanos, nowNanos);
    }

    public synchronized Gap longest() {
        double startS = longestNanos == 0 ? Double.NaN : (longestStartNanos - originNanos) / 1e9;
        double firstS = firstNanos == Long.MIN_VALUE ? Double.NaN : (firstNanos - originNanos) / 1e9;
        return new Gap(longestNanos / 1e6, startS, firstS);
    }

    /**
     * @param longestMs  the longest gap between acknowledgements
     * @param startS     when it began, seconds after the case's start
     * @param firstAckS  when the first acknowledgement arrived
     */
    public record Gap(double longestMs, double startS, double firstAckS) {}
}
