package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyRecordingTest {

    @Test
    void percentilesOfKnownLatencies() {
        LatencyRecorder r = new LatencyRecorder();
        for (int ms = 1; ms <= 1000; ms++) {
            r.recordNanos(TimeUnit.MILLISECONDS.toNanos(ms));
        }
        r.interval(true);
        LatencyRecorder.Percentiles p = LatencyRecorder.percentiles(r.measured());
        assertEquals(1000, p.count());
        assertEquals(500, p.p50Ms(), 1);
        assertEquals(990, p.p99Ms(), 1);
        assertEquals(999, p.p999Ms(), 1);
        assertEquals(1000, p.maxMs(), 1);
    }

    @Test
    void warmUpIntervalsStayOutOfTheMeasuredTotal() {
        LatencyRecorder r = new LatencyRecorder();
        r.recordNanos(TimeUnit.SECONDS.toNanos(5)); // a warm-up outlier
        Histogram warm = r.interval(false);
        assertEquals(1, warm.getTotalCount());
        r.recordNanos(TimeUnit.MILLISECONDS.toNanos(2));
        r.interval(true);
        LatencyRecorder.Percentiles p = LatencyRecorder.percentiles(r.measured());
        assertEquals(1, p.count());
        assertEquals(2, p.maxMs(), 0.01);
    }

    @Test
    void emptyHistogramHasNoFigures() {
        LatencyRecorder.Percentiles p = LatencyRecorder.percentiles(new LatencyRecorder().measured());
        assertEquals(0, p.count());
        assertTrue(Double.isNaN(p.p99Ms()));
        assertTrue(LatencyRecorder.cdf(new LatencyRecorder().measured()).isEmpty());
    }

    @Test
    void cdfRisesToTheMaximum() {
        LatencyRecorder r = new LatencyRecorder();
        for (int i = 1; i <= 10_000; i++) {
            r.recordNanos(i * 1_000L);
        }
        r.interval(true);
        List<double[]> cdf = LatencyRecorder.cdf(r.measured());
        assertTrue(cdf.size() > 10);
        for (int i = 1; i < cdf.size(); i++) {
            assertTrue(cdf.get(i)[0] >= cdf.get(i - 1)[0], "percentiles rise");
            assertTrue(cdf.get(i)[1] >= cdf.get(i - 1)[1], "latencies rise");
        }
        assertEquals(100.0, cdf.get(cdf.size() - 1)[0], 1e-9);
        assertEquals(10.0, cdf.get(cdf.size() - 1)[1], 0.01);
    }

    @Test
    void openLoopScheduleSpacesRecordsEvenlyFromTheStart() {
        OpenLoopSchedule s = new OpenLoopSchedule(1_000, 4);
        assertEquals(1_000, s.intendedNanos(0));
        assertEquals(1_000 + 250_000_000L, s.intendedNanos(1));
        assertEquals(1_000 + 1_000_000_000L, s.intendedNanos(4));
        assertEquals(1_000 + 2_750_000_000L, s.intendedNanos(11));
        // no overflow far into a long run
        OpenLoopSchedule fast = new OpenLoopSchedule(0, 1_000_000);
        assertEquals(3_600_000_000_000L, fast.intendedNanos(3_600_000_000L));
    }

    @Test
    void ackGapsFindTheLongestSilenceAfterTheFirstAck() {
        AckGaps g = new AckGaps(0);
        g.ack(0, 2_000_000_000L, 0);     // first ack at 2 s: the time before it is no gap
        g.ack(0, 2_010_000_000L, 0);
        g.ack(0, 2_900_000_000L, 0);     // 890 ms gap starting at 2.01 s
        g.ack(0, 2_950_000_000L, 0);
        AckGaps.Gap gap = g.longest();
        assertEquals(890, gap.longestMs(), 1e-6);
        assertEquals(2.01, gap.startS(), 1e-9);
        assertEquals(2.0, gap.firstAckS(), 1e-9);
    }

    /**
     * A partition the producer sent nothing to for a while (its sticky partitioner was on another one) was not
     * unavailable: its gap starts at the send of the record that ends it. Its first acknowledgement after a fault
     * ends its failover, counted from that send when nothing of it was waiting at the fault.
     */
    @Test
    void ackGapsStartAtTheSendWhenNothingWasWaiting() {
        AckGaps g = new AckGaps(0);
        g.ack(0, 1_000_000_000L, 990_000_000L);
        g.ack(0, 1_900_000_000L, 1_850_000_000L);  // sent 0.85 s after the last ack: a 50 ms gap, not 900 ms
        g.ack(1, 2_200_000_000L, 1_950_000_000L);
        g.ack(0, 2_300_000_000L, 1_800_000_000L);  // waiting since before the last ack: 400 ms from it
        g.fault(2_500_000_000L);
        g.ack(0, 2_800_000_000L, 2_600_000_000L);  // first after the fault, sent after it: 200 ms of failover
        g.ack(1, 3_000_000_000L, 2_150_000_000L);  // waiting since before the fault: 800 ms from its last ack
        assertEquals(800, g.longest().longestMs(), 1e-6);
        assertEquals(2.2, g.longest().startS(), 1e-9);
        assertEquals(800, g.longest().faultGapMs(), 1e-6);
        g.ack(0, 3_100_000_000L, 2_700_000_000L);
        g.ack(0, 4_000_000_000L, 3_000_000_000L);  // waiting since 3.0 s: 900 ms from the last ack at 3.1 s
        assertEquals(900, g.longest().longestMs(), 1e-6);
        assertEquals(800, g.longest().faultGapMs(), 1e-6, "only a partition's first ack after the fault counts");
    }

    /** A leadership move back to a restarted node comes seconds after the heal began; it still counts as the heal's. */
    @Test
    void ackGapsAfterTheHealCountUntilTheEnd() {
        AckGaps g = new AckGaps(0);
        for (long t = 1_000_000_000L; t <= 9_000_000_000L; t += 100_000_000L) {
            g.ack(1, t, t - 50_000_000L);
            if (t < 7_000_000_000L || t > 7_500_000_000L) {
                g.ack(0, t, t - 50_000_000L);
            }
            if (t == 2_000_000_000L) {
                g.heal(t);
            }
        }
        // partition 0: acknowledged at 7.0 s, then the record sent at 7.55 s waited until 7.6 s
        assertEquals(50, g.longest().healGapMs(), 1e-6);
        g.ack(0, 9_700_000_000L, 9_050_000_000L);   // sent at 9.05 s, acknowledged 650 ms later
        assertEquals(650, g.longest().healGapMs(), 1e-6);
        assertEquals(Double.NaN, g.longest().faultGapMs());
    }

    /** A partition that stalls while the others keep acknowledging still shows its own gap. */
    @Test
    void ackGapsArePerPartition() {
        AckGaps g = new AckGaps(0);
        g.ack(0, 1_000_000_000L, 0);
        g.ack(1, 1_005_000_000L, 0);
        for (long t = 1_100_000_000L; t <= 3_000_000_000L; t += 100_000_000L) {
            g.ack(1, t, 0);              // partition 1 acknowledges every 100 ms
        }
        g.ack(0, 2_600_000_000L, 0);     // partition 0 was silent for 1.6 s from 1.0 s
        g.ack(2, 2_700_000_000L, 0);     // a partition's first ack is no gap, however late
        AckGaps.Gap gap = g.longest();
        assertEquals(1600, gap.longestMs(), 1e-6);
        assertEquals(1.0, gap.startS(), 1e-9);
        assertEquals(1.0, gap.firstAckS(), 1e-9);
    }

    /** The failover is the gap that spans the fault, even when a longer gap (a latency spike) came elsewhere. */
    @Test
    void ackGapsAcrossTheFaultAndTheHealAreKeptApart() {
        AckGaps g = new AckGaps(0);
        g.ack(0, 1_000_000_000L, 0);
        g.ack(1, 1_000_000_000L, 0);
        g.ack(1, 3_900_000_000L, 0);
        g.fault(4_000_000_000L);
        g.ack(0, 4_100_000_000L, 0);     // partition 0: 3.1 s across the fault
        g.ack(1, 4_300_000_000L, 0);     // partition 1: 0.4 s across it
        g.ack(2, 4_500_000_000L, 0);
        g.ack(2, 7_900_000_000L, 0);     // partition 2: 3.4 s, the longest, across neither
        assertEquals(Double.NaN, g.longest().healGapMs());
        g.ack(0, 6_000_000_000L, 0);
        g.ack(1, 6_000_000_000L, 0);
        g.heal(8_000_000_000L);
        g.ack(0, 8_250_000_000L, 0);     // 2.25 s across the heal
        g.ack(1, 8_300_000_000L, 0);     // 2.3 s across the heal
        AckGaps.Gap gap = g.longest();
        assertEquals(3400, gap.longestMs(), 1e-6);
        assertEquals(4.5, gap.startS(), 1e-9);
        assertEquals(3100, gap.faultGapMs(), 1e-6);
        assertEquals(2300, gap.healGapMs(), 1e-6);
        assertEquals(Double.NaN, new AckGaps(0).longest().faultGapMs());
    }

    /** A partition that never came back after the fault still shows its gap, up to the end of the sends. */
    @Test
    void aFailoverThatNeverEndedCountsUpToTheEnd() {
        AckGaps g = new AckGaps(0);
        g.ack(0, 1_000_000_000L, 0);
        g.ack(1, 1_000_000_000L, 0);
        g.fault(2_000_000_000L);
        g.ack(1, 2_100_000_000L, 0);
        g.end(9_000_000_000L);
        assertEquals(8000, g.longest().faultGapMs(), 1e-6);
    }

    @Test
    void samplerCutsIntervalsAndMarksTheMeasuredOnes() {
        java.util.concurrent.atomic.AtomicLong acked = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        LatencyRecorder send = new LatencyRecorder();
        LatencyRecorder e2e = new LatencyRecorder();
        // warm-up 0: every interval counts
        Sampler s = new Sampler(System.nanoTime(), 0, acked, failed, () -> 7, send, e2e);
        acked.set(10);
        send.recordNanos(1_000_000);
        SecondSample first = s.sample();
        acked.set(25);
        failed.set(1);
        List<SecondSample> all = s.finish();
        assertEquals(2, all.size());
        assertEquals(10, first.acked());
        assertEquals(15, all.get(1).acked());
        assertEquals(1, all.get(1).failed());
        assertEquals(7, first.e2eCount());
        assertTrue(all.stream().allMatch(SecondSample::measured));
        assertEquals(1, LatencyRecorder.percentiles(send.measured()).count());
        assertEquals(null, s.sample(), "nothing after finish");
    }
}
