package io.rlog.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Cuts a case into intervals (one per second from the timer, and a last one at the end) and keeps each one's
 * figures. An interval that starts after the warm-up is measured: its latencies go into the measured totals.
 * Thread-safe: the timer and the case's thread both call it.
 */
final class Sampler {
    private final long originNanos;
    private final int warmupS;
    private final AtomicLong acked;
    private final AtomicLong failed;
    private final LongSupplier e2eReceived;
    private final LatencyRecorder send;
    private final LatencyRecorder e2e;
    private final List<SecondSample> samples = new ArrayList<>();
    private double lastAtS;
    private long lastAcked;
    private long lastFailed;
    private long lastE2e;
    private boolean finished;

    Sampler(long originNanos, int warmupS, AtomicLong acked, AtomicLong failed, LongSupplier e2eReceived,
            LatencyRecorder send, LatencyRecorder e2e) {
        this.originNanos = originNanos;
        this.warmupS = warmupS;
        this.acked = acked;
        this.failed = failed;
        this.e2eReceived = e2eReceived;
        this.send = send;
        this.e2e = e2e;
    }

    /** Closes the current interval; null once {@link #finish} has run. */
    synchronized SecondSample sample() {
        if (finished) {
            return null;
        }
        double atS = (System.nanoTime() - originNanos) / 1e9;
        // A small tolerance: the timer fires a hair before the whole second.
        final double slackS = 0.05;
        boolean measured = lastAtS + slackS >= warmupS;
        Histogram s = send.interval(measured);
        Histogram e = e2e.interval(measured);
        long a = acked.get();
        long f = failed.get();
        long r = e2eReceived.getAsLong();
        LatencyRecorder.Percentiles sp = LatencyRecorder.percentiles(s);
        LatencyRecorder.Percentiles ep = LatencyRecorder.percentiles(e);
        SecondSample sample = new SecondSample(atS, atS - lastAtS, a - lastAcked, f - lastFailed, sp.p50Ms(),
                sp.p99Ms(), sp.maxMs(), r - lastE2e, ep.p50Ms(), ep.p99Ms(), measured);
        samples.add(sample);
        lastAtS = atS;
        lastAcked = a;
        lastFailed = f;
        lastE2e = r;
        return sample;
    }

    /** Closes the last interval and returns them all. */
    synchronized List<SecondSample> finish() {
        sample();
        finished = true;
        return List.copyOf(samples);
    }
}
