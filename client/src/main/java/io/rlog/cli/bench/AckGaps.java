package io.rlog.cli.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * The longest time one partition went without an acknowledgement while it had a record waiting for one, and when
 * it began: the unavailability a client of that partition saw (a failover shows as one long gap on the partitions
 * the dead node led, while the others keep acknowledging, so a gap across all partitions would hide it). Each
 * partition's gaps count from its own first acknowledgement, so metadata and topic warm-up before it are not a
 * gap. A gap starts at the later of the partition's previous acknowledgement and the send of the record that
 * ends it: records without a key go to one partition at a time (the producer's sticky partitioner, which also
 * avoids partitions with long queues), and a partition sent nothing for a while has not been unavailable.
 * Acknowledgements of one partition arrive in send order, so no record of it was waiting before that send. The
 * gap ended by each partition's first acknowledgement after the fault, and the longest gap that ended after the
 * heal, are kept apart as well, so a failover is not confused with a latency spike elsewhere in the run. Times
 * are passed in; thread-safe.
 */
public final class AckGaps {
    private final long originNanos;
    private final Map<Integer, Long> lastNanos = new HashMap<>();
    private long longestNanos;
    private long longestStartNanos;
    private long firstNanos = Long.MIN_VALUE;
    /** When the fault and the heal happened (Long.MIN_VALUE: not yet), and the longest gap across each. */
    private long faultNanos = Long.MIN_VALUE;
    private long healNanos = Long.MIN_VALUE;
    private long faultGapNanos = -1;
    private long healGapNanos = -1;

    /** @param originNanos the case's start, which {@link Gap#startS()} is relative to */
    public AckGaps(long originNanos) {
        this.originNanos = originNanos;
    }

    /**
     * A record of {@code partition} was acknowledged at {@code nowNanos}; it was sent (open loop: due) at
     * {@code sentNanos}.
     */
    public synchronized void ack(int partition, long nowNanos, long sentNanos) {
        if (firstNanos == Long.MIN_VALUE) {
            firstNanos = nowNanos;
        }
        Long last = lastNanos.get(partition);
        if (last != null) {
            long start = Math.max(last, sentNanos);
            if (nowNanos - start > longestNanos) {
                longestNanos = nowNanos - start;
                longestStartNanos = start;
            }
            // The partition's first acknowledgement after the fault ends its failover, whether the record waited
            // since before the fault or was sent to a dead leader after it.
            if (spans(last, faultNanos, nowNanos)) {
                faultGapNanos = Math.max(faultGapNanos, nowNanos - start);
            }
            // After the heal, any gap: a restarted first replica takes its leadership back once it has caught
            // up, seconds after the restart began.
            if (healNanos != Long.MIN_VALUE && nowNanos >= healNanos) {
                healGapNanos = Math.max(healGapNanos, nowNanos - start);
            }
        }
        lastNanos.put(partition, last == null ? nowNanos : Math.max(last, nowNanos));
    }

    private static boolean spans(long last, long mark, long now) {
        return mark != Long.MIN_VALUE && last < mark && mark <= now;
    }

    /** The fault happened now: the gaps that span this moment are the failover as clients saw it. */
    public synchronized void fault(long nowNanos) {
        faultNanos = nowNanos;
    }

    /** The heal began now (a restart or a resume); a leadership move back to the healed node shows after it. */
    public synchronized void heal(long nowNanos) {
        healNanos = nowNanos;
    }

    /**
     * The case's sends are over: a partition that has not been acknowledged since the fault (or the heal) counts
     * its open gap up to now, so a failover that never ended is not left out.
     */
    public synchronized void end(long nowNanos) {
        for (long last : lastNanos.values()) {
            if (spans(last, faultNanos, nowNanos)) {
                faultGapNanos = Math.max(faultGapNanos, nowNanos - last);
            }
            if (spans(last, healNanos, nowNanos)) {
                healGapNanos = Math.max(healGapNanos, nowNanos - last);
            }
        }
    }

    public synchronized Gap longest() {
        double startS = longestNanos == 0 ? Double.NaN : (longestStartNanos - originNanos) / 1e9;
        double firstS = firstNanos == Long.MIN_VALUE ? Double.NaN : (firstNanos - originNanos) / 1e9;
        return new Gap(longestNanos / 1e6, startS, firstS, faultGapNanos < 0 ? Double.NaN : faultGapNanos / 1e6,
                healGapNanos < 0 ? Double.NaN : healGapNanos / 1e6);
    }

    /**
     * @param longestMs  the longest gap between two acknowledgements of one partition, with a record waiting
     * @param startS     when it began, seconds after the case's start
     * @param firstAckS  when the first acknowledgement arrived
     * @param faultGapMs the longest gap ended by a partition's first acknowledgement after the fault (NaN: no
     *                   fault, or no ack after it)
     * @param healGapMs  the longest gap of one partition that ended after the heal began (NaN: none)
     */
    public record Gap(double longestMs, double startS, double firstAckS, double faultGapMs, double healGapMs) {}
}
