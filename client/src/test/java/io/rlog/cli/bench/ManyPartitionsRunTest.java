package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlog.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The many-partitions case, small: `rlog bench --many-partitions --skip-matrix` on a fresh cluster of 3 real node
 * processes with a 6-partition topic (the case itself is sized for 1,000, which takes minutes). Asserts the figures
 * the case exists for are there for every node, that the load across the partitions was read back whole, and that
 * the cluster ran with the case's own election timeouts.
 */
class ManyPartitionsRunTest {

    @Test
    void reportsMemoryIdleCpuAndLoadPerNode(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        BenchCommandTest.Run r = BenchCommandTest.run("bench", "--many-partitions", "--skip-matrix",
                "--many-partitions-count", "6", "--idle-s", "1", "--duration-s", "3", "--out", out.toString());
        System.out.println(r.err());
        assertEquals(Main.EXIT_OK, r.code(), "stderr:\n" + r.err());

        JsonNode many = new ObjectMapper().readTree(out.resolve(ResultsWriter.JSON).toFile()).get("many_partitions");
        assertTrue(many.get("error").isNull(), many.toString());
        assertEquals(6, many.get("partitions").asInt());
        assertEquals(3, many.get("rf").asInt());
        assertTrue(many.get("createS").asDouble() > 0, many.toString());
        ManyPartitions.DEFAULT_NODE_SETTINGS.forEach((key, value) ->
                assertEquals(value, many.get("nodeSettings").path(key).asText(), key));

        assertEquals(3, many.get("nodes").size(), many.toString());
        for (JsonNode n : many.get("nodes")) {
            for (String rss : new String[] {"rssMbBaseline", "rssMbIdle", "rssMbAfterLoad"}) {
                assertTrue(n.get(rss).asDouble() > 100, rss + " of " + n); // a node JVM with a 1 GB pre-touched heap
            }
            for (String cpu : new String[] {"idleCpuPctBaseline", "idleCpuPctIdle"}) {
                assertTrue(n.get(cpu).isNumber() && n.get(cpu).asDouble() >= 0, cpu + " of " + n);
            }
        }

        JsonNode load = many.get("load");
        assertTrue(load.get("error").isNull(), load.toString());
        assertTrue(load.get("acked").asLong() > 0, load.get("acked").toString());
        assertTrue(load.get("readBackComplete").asBoolean(), "read-back incomplete");
        assertEquals(0, load.get("loss").get("lost").asLong(), load.get("loss").toString());
        assertEquals(0, load.get("loss").get("duplicates").asLong(), load.get("loss").toString());
        String html = Files.readString(out.resolve(ResultsWriter.HTML));
        assertTrue(html.contains("<h2>Many partitions</h2>"), "no many-partitions section in the report");
        assertTrue(html.contains("read back whole: 0 acknowledged records lost, 0 duplicated"), "no loss in the report");
    }
}
