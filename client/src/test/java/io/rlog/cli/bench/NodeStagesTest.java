package io.rlog.cli.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeStagesTest {

    /** A node's /metrics with one stage's buckets at 1, 2 and 4 ms holding these cumulative counts. */
    private static String metrics(String stage, long upTo1, long upTo2, long upTo4, long all) {
        return "# TYPE rlog_produce_stage_seconds histogram\n"
                + "rlog_produce_stage_seconds_bucket{stage=\"" + stage + "\",le=\"0.001\"} " + upTo1 + "\n"
                + "rlog_produce_stage_seconds_bucket{stage=\"" + stage + "\",le=\"0.002\"} " + upTo2 + "\n"
                + "rlog_produce_stage_seconds_bucket{stage=\"" + stage + "\",le=\"0.004\"} " + upTo4 + "\n"
                + "rlog_produce_stage_seconds_bucket{stage=\"" + stage + "\",le=\"+Inf\"} " + all + "\n"
                + "rlog_produce_stage_seconds_count{stage=\"" + stage + "\"} " + all + "\n"
                + "rlog_healthy 1\n";
    }

    @Test
    void quantilesComeFromTheCountsBetweenTwoScrapesSummedOverTheNodes() {
        Map<Integer, NodeStages> before = Map.of(
                1, NodeStages.parse(metrics("commit", 10, 10, 10, 10)),
                2, NodeStages.parse(metrics("commit", 0, 0, 0, 0)));
        // Between the scrapes: node 1 counted 50 in (1, 2] ms and 40 in (2, 4]; node 2 ten at or below 1 ms.
        Map<Integer, NodeStages> after = Map.of(
                1, NodeStages.parse(metrics("commit", 10, 60, 100, 100)),
                2, NodeStages.parse(metrics("commit", 10, 10, 10, 10)));
        NodeStages.Figure f = NodeStages.between(before, after).get("commit");
        assertEquals(100, f.count());
        // The 50th of 100: 10 at or below 1 ms, then 50 spread over (1, 2]: 40/50 of the way.
        assertEquals(1.8, f.p50Ms(), 1e-9);
        // The 99th: 60 at or below 2 ms, then 40 over (2, 4]: 39/40 of the way.
        assertEquals(2 + 2 * 39.0 / 40, f.p99Ms(), 1e-9);
    }

    @Test
    void aRestartedNodeCountsFromItsRestartAndAMissingOneIsLeftOut() {
        Map<Integer, NodeStages> before = Map.of(
                1, NodeStages.parse(metrics("raft", 500, 500, 500, 500)),
                3, NodeStages.parse(metrics("raft", 7, 7, 7, 7)));
        Map<Integer, NodeStages> after = Map.of(
                1, NodeStages.parse(metrics("raft", 0, 0, 4, 4)), // restarted: these 4 are all since then
                2, NodeStages.parse(metrics("raft", 9, 9, 9, 9))); // not scraped before: left out
        NodeStages.Figure f = NodeStages.between(before, after).get("raft");
        assertEquals(4, f.count());
        assertTrue(f.p50Ms() > 2 && f.p50Ms() <= 4, "all four are in (2, 4] ms: " + f);
    }

    @Test
    void nothingCountedGivesNoQuantileAndTheOverflowBucketItsLowerBound() {
        Map<Integer, NodeStages> same = Map.of(1, NodeStages.parse(metrics("apply", 3, 3, 3, 3)));
        NodeStages.Figure none = NodeStages.between(same, same).get("apply");
        assertEquals(0, none.count());
        assertTrue(Double.isNaN(none.p99Ms()));
        NodeStages.Figure slow = NodeStages.between(Map.of(1, NodeStages.parse(metrics("apply", 0, 0, 0, 0))),
                Map.of(1, NodeStages.parse(metrics("apply", 0, 0, 0, 2)))).get("apply");
        assertEquals(4.0, slow.p50Ms(), 1e-9, "beyond the last bound: reported at it");
        assertTrue(NodeStages.parse("rlog_healthy 1\n").buckets().isEmpty(), "no histograms, no stages");
    }
}
