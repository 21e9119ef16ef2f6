package io.rlog.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * Latencies in microseconds (HdrHistogram, 3 significant digits, up to 10 minutes). Any thread may
 * {@link #recordNanos}; one thread at a time takes intervals ({@link #interval}), each added to the run's total,
 * and to the measured total once the warm-up is over.
 */
public final class LatencyRecorder {
    static final long HIGHEST_US = TimeUnit.MINUTES.toMicros(10);
    static final int DIGITS = 3;

    private final Recorder recorder = new Recorder(HIGHEST_US, DIGITS);
    private final Histogram measured = new Histogram(HIGHEST_US, DIGITS);
    private Histogram recycled;

    public void recordNanos(long nanos) {
        recorder.recordValue(Math.min(HIGHEST_US, Math.max(1, nanos / 1_000)));
    }

    /** The latencies recorded since the last call; counted in the measured total when {@code measuredWindow}. */
    public synchronized Histogram interval(boolean measuredWindow) {
        Histogram h = recorder.getIntervalHistogram(recycled);
        if (measuredWindow) {
            measured.add(h);
        }
        recycled = h;
        return h.copy();
    }

    public synchronized Histogram measured() {
        return measured.copy();
    }

    /** Summary figures of a histogram in milliseconds; NaN when it is empty. */
    public static Percentiles percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Percentiles(h.getTotalCount(), ms(h.getMean()), ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
    }

    /**
     * Points of the latency distribution for a CDF plot: (percentile, ms) at HdrHistogram's percentile steps,
     * which get denser towards the tail, ending at the maximum.
     */
    public static List<double[]> cdf(Histogram h) {
        List<double[]> out = new ArrayList<>();
        if (h.getTotalCount() == 0) {
            return out;
        }
        final int ticksPerHalfDistance = 4;
        for (HistogramIterationValue v : h.percentiles(ticksPerHalfDistance)) {
            out.add(new double[] {v.getPercentileLevelIteratedTo(), ms(v.getValueIteratedTo())});
        }
        return out;
    }

    private static double ms(double us) {
        return Math.round(us) / 1_000.0;
    }

    /** Latency summary in milliseconds. */
    public record Percentiles(long count, double meanMs, double p50Ms, double p99Ms, double p999Ms, double maxMs) {}
}
