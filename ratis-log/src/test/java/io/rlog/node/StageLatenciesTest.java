package io.rlog.node;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StageLatenciesTest {

    @Test
    void boundsRiseByAQuarterFromFiftyMicrosecondsToThirtySeconds() {
        long[] b = StageLatencies.BOUNDS_US;
        assertEquals(50, b[0]);
        assertEquals(30_000_000, b[b.length - 1]);
        for (int i = 1; i < b.length; i++) {
            assertTrue(b[i] > b[i - 1], "bounds must rise: " + b[i - 1] + ", " + b[i]);
            assertTrue(b[i] <= Math.round(b[i - 1] * 1.25) + 1 || i == b.length - 1,
                    "a bucket wider than a quarter: " + b[i - 1] + " to " + b[i]);
        }
    }

    @Test
    void aRecordingCountsInTheFirstBucketWhoseBoundHoldsIt() {
        StageLatencies s = new StageLatencies();
        s.record(StageLatencies.Stage.COMMIT, 50_000);     // exactly the first bound: first bucket
        s.record(StageLatencies.Stage.COMMIT, 50_999);     // 50 us (truncated): first bucket
        s.record(StageLatencies.Stage.COMMIT, 51_000);     // just above: second bucket
        s.record(StageLatencies.Stage.COMMIT, 60_000_000_000L); // a minute: only +Inf
        s.record(StageLatencies.Stage.COMMIT, -5);         // a clock step back counts as zero
        long[] cum = s.cumulative(StageLatencies.Stage.COMMIT);
        assertEquals(3, cum[0]);
        assertEquals(4, cum[1]);
        assertEquals(4, cum[cum.length - 2]);
        assertEquals(5, cum[cum.length - 1]);
        assertArrayEquals(new long[cum.length], s.cumulative(StageLatencies.Stage.APPLY), "other stages untouched");
    }

    @Test
    void metricsAreAPrometheusHistogramPerStage() {
        StageLatencies s = new StageLatencies();
        s.record(StageLatencies.Stage.RAFT, 2_000_000); // 2 ms
        s.record(StageLatencies.Stage.RAFT, 3_000_000);
        StringBuilder sb = new StringBuilder();
        s.appendMetrics(sb);
        String text = sb.toString();
        assertTrue(text.contains("# TYPE rlog_produce_stage_seconds histogram\n"), text);
        assertTrue(text.contains("rlog_produce_stage_seconds_count{stage=\"raft\"} 2\n"), text);
        assertTrue(text.contains("rlog_produce_stage_seconds_sum{stage=\"raft\"} 0.005\n"), text);
        assertTrue(text.contains("rlog_produce_stage_seconds_bucket{stage=\"raft\",le=\"+Inf\"} 2\n"), text);
        // Buckets up to 2 ms hold one recording at most (2 ms sits in the bucket whose bound is at or above it),
        // and every bucket from 3 ms on holds both.
        Matcher m = Pattern.compile("rlog_produce_stage_seconds_bucket\\{stage=\"raft\",le=\"([0-9.E-]+)\"} (\\d+)")
                .matcher(text);
        int buckets = 0;
        while (m.find()) {
            double le = Double.parseDouble(m.group(1));
            long count = Long.parseLong(m.group(2));
            long expected = le < 0.002 ? 0 : le < 0.003 ? 1 : 2;
            assertEquals(expected, count, "bucket le=" + le);
            buckets++;
        }
        assertEquals(StageLatencies.BOUNDS_US.length, buckets);
        for (StageLatencies.Stage stage : StageLatencies.Stage.values()) {
            assertTrue(text.contains("_count{stage=\"" + stage.label + "\"}"), "no count for " + stage);
        }
    }
}
