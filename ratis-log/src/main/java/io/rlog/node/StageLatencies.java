package io.rlog.node;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a produce request's time goes inside the node: one cumulative latency histogram per step, published on
 * /metrics in Prometheus's histogram form ({@code rlog_produce_stage_seconds_bucket{stage,le}}), so that a
 * reader who takes two scrapes gets the distribution of the requests between them (the bench does, per case).
 *
 * <p>Buckets are log-spaced, each bound 1.25 times the one before from {@link #FIRST_BOUND_US} up to
 * {@link #LAST_BOUND_US}: a quantile read from them is within a bucket's width (25 %) of the true one. Recording
 * is a binary search and one atomic increment, cheap enough for every request.
 */
final class StageLatencies {

    /** The steps, in the order a request goes through them. */
    enum Stage {
        /** Broker: a request waits in its partition's queue for the entry before it (ProduceCoalescer). */
        QUEUE("queue"),
        /** State machine, leader: startTransaction until Ratis gave the entry its log index. */
        ADMIT("admit"),
        /** State machine, leader: from the log index until apply began (replication, fsyncs, commit, wake-up). */
        COMMIT("commit"),
        /** State machine, leader: apply itself (the batch file write, the RocksDB write batch). */
        APPLY("apply"),
        /** Broker: from proposing the entry until Ratis's reply came back (admit + commit + apply + the reply). */
        RAFT("raft"),
        /** Broker: one partition's part of a produce request, from the handler's call until its answer. */
        PRODUCE("produce");

        final String label;

        Stage(String label) {
            this.label = label;
        }
    }

    static final long FIRST_BOUND_US = 50;
    static final long LAST_BOUND_US = 30_000_000;
    /** Upper bounds of the buckets, in microseconds; one more bucket (+Inf) holds the rest. */
    static final long[] BOUNDS_US = bounds();

    /** Per stage (by ordinal): recordings per bucket, and their total in nanoseconds. */
    private final AtomicLongArray[] counts = new AtomicLongArray[Stage.values().length];
    private final LongAdder[] sumNanos = new LongAdder[Stage.values().length];

    StageLatencies() {
        for (Stage s : Stage.values()) {
            counts[s.ordinal()] = new AtomicLongArray(BOUNDS_US.length + 1);
            sumNanos[s.ordinal()] = new LongAdder();
        }
    }

    private static long[] bounds() {
        long[] out = new long[64];
        int n = 0;
        double b = FIRST_BOUND_US;
        while (true) {
            long bound = Math.round(b);
            if (n == 0 || bound > out[n - 1]) {
                out[n++] = Math.min(bound, LAST_BOUND_US);
            }
            if (bound >= LAST_BOUND_US) {
                return Arrays.copyOf(out, n);
            }
            b *= 1.25;
        }
    }

    void record(Stage stage, long nanos) {
        long us = Math.max(0, nanos) / 1_000;
        int i = Arrays.binarySearch(BOUNDS_US, us);
        counts[stage.ordinal()].incrementAndGet(i >= 0 ? i : -i - 1);
        sumNanos[stage.ordinal()].add(Math.max(0, nanos));
    }

    /** How many recordings the stage has. */
    long count(Stage stage) {
        AtomicLongArray c = counts[stage.ordinal()];
        long total = 0;
        for (int i = 0; i < c.length(); i++) {
            total += c.get(i);
        }
        return total;
    }

    /** The stage's recordings added up, in nanoseconds. */
    long sumNanos(Stage stage) {
        return sumNanos[stage.ordinal()].sum();
    }

    /** Cumulative count of recordings at or below each bound (the last element: all of them). */
    long[] cumulative(Stage stage) {
        AtomicLongArray c = counts[stage.ordinal()];
        long[] out = new long[c.length()];
        long total = 0;
        for (int i = 0; i < out.length; i++) {
            total += c.get(i);
            out[i] = total;
        }
        return out;
    }

    /** Appends the histograms in Prometheus's text format. */
    void appendMetrics(StringBuilder sb) {
        String name = "rlog_produce_stage_seconds";
        sb.append("# HELP ").append(name).append(" time a produce request spent in each step inside the node\n");
        sb.append("# TYPE ").append(name).append(" histogram\n");
        for (Stage s : Stage.values()) {
            long[] cum = cumulative(s);
            for (int i = 0; i < BOUNDS_US.length; i++) {
                sb.append(name).append("_bucket{stage=\"").append(s.label).append("\",le=\"")
                        .append(BOUNDS_US[i] / 1e6).append("\"} ").append(cum[i]).append('\n');
            }
            sb.append(name).append("_bucket{stage=\"").append(s.label).append("\",le=\"+Inf\"} ")
                    .append(cum[cum.length - 1]).append('\n');
            sb.append(name).append("_sum{stage=\"").append(s.label).append("\"} ")
                    .append(sumNanos(s) / 1e9).append('\n');
            sb.append(name).append("_count{stage=\"").append(s.label).append("\"} ")
                    .append(cum[cum.length - 1]).append('\n');
        }
    }
}
