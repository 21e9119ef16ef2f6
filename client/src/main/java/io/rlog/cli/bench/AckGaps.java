package io.rlog.cli.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * The longest time one partition went without an acknowledgement, and when it began: the unavailability a client
 * of that partition saw (a failover shows as one long gap on the partitions the dead node led, while the others
 * keep acknowledging, so a gap across all partitions would hide it). Each partition's gaps count from its own
 * first acknowledgement, so metadata and topic warm-up before it are not a gap. Times are passed in;
 * thread-safe.
 */
public final class AckGaps {
    private final long originNanos;
    private final Map<Integer, Long> lastNanos = new HashMap<>();
    private long longestNanos;
    private long longestStartNanos;
    private long firstNanos = Long.MIN_VALUE;

    /** @param originNanos the case's start, which {@link Gap#startS()} is relative to */
    public AckGaps(long originNanos) {
        this.originNanos = originNanos;
    }

    public synchronized void ack(int partition, long nowNanos) {
        if (firstNanos == Long.MIN_VALUE) {
            firstNanos = nowNanos;
        }
        Long last = lastNanos.get(partition);
        if (last != null && nowNanos - last > longestNanos) {
            longestNanos = nowNanos - last;
            longestStartNanos = last;
        }
        lastNanos.put(partition, last == null ? nowNanos : Math.max(last, nowNanos));
    }

    public synchronized Gap longest() {
        double startS = longestNanos == 0 ? Double.NaN : (longestStartNanos - originNanos) / 1e9;
        double firstS = firstNanos == Long.MIN_VALUE ? Double.NaN : (firstNanos - originNanos) / 1e9;
        return new Gap(longestNanos / 1e6, startS, firstS);
    }

    /**
     * @param longestMs  the longest gap between two acknowledgements of one partition
     * @param startS     when it began, seconds after the case's start
     * @param firstAckS  when the first acknowledgement arrived
     */
    public record Gap(double longestMs, double startS, double firstAckS) {}
}
