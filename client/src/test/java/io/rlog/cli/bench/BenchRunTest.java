package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.cli.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One small real run: `rlog bench` starts a 3-node cluster of real node processes, runs two short open-loop
 * cases (acks=all and acks=1) with a JFR profile of every node, reads everything back and stops the cluster.
 * Asserts what must hold whatever the machine's speed: the files exist, records were acknowledged, nothing was
 * lost or duplicated without a fault, and every node's profile is a recording with CPU samples in it.
 */
class BenchRunTest {

    @Test
    void smallMatrixOnALocalClusterWritesPlausibleResults(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        BenchCommandTest.Run r = BenchCommandTest.run("bench", "--acks", "all,1", "--fsync", "always", "--rf", "3",
                "--record-size", "100", "--partitions", "2", "--target-rate", "500", "--duration-s", "3",
                "--warmup-s", "1", "--cluster-warmup-s", "2", "--profile", "--out", out.toString());
        String stderr = r.err();
        System.out.println(stderr); // the progress lines, in the test's output file
        assertEquals(Main.EXIT_OK, r.code(), "stderr:\n" + stderr);
        assertTrue(stderr.matches("(?s).*warm-up round 1 of rlog: JIT compilers used \\d+\\.\\d\\d cores.*"),
                "the warm-up measures the JIT compilers it waits for:\n" + stderr);

        List<String> lines = r.out().lines().toList();
        String summary = lines.get(lines.size() - 1);
        assertTrue(summary.startsWith("summary cases=2 failed=0 lost=0 duplicates=0 "), summary);
        assertTrue(summary.endsWith(" ratio=n/a"), summary);
        for (String f : List.of(ResultsWriter.CSV, ResultsWriter.TIMESERIES_CSV, ResultsWriter.JSON, ResultsWriter.HTML)) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        List<String> csv = Files.readAllLines(out.resolve(ResultsWriter.CSV), StandardCharsets.UTF_8);
        assertEquals(3, csv.size(), String.join("\n", csv));
        List<String> columns = List.of(csv.get(0).split(","));
        for (String row : csv.subList(1, csv.size())) {
            String[] cells = row.split(",", -1);
            assertEquals("true", cells[columns.indexOf("ok")], row);
            assertTrue(Long.parseLong(cells[columns.indexOf("acked")]) > 0, row);
            assertEquals(cells[columns.indexOf("sent")], cells[columns.indexOf("acked")], "every send acknowledged");
            assertEquals("0", cells[columns.indexOf("lost")], row);
            assertEquals("0", cells[columns.indexOf("duplicates")], row);
            assertEquals("true", cells[columns.indexOf("read_back_complete")], row);
            assertTrue(Double.parseDouble(cells[columns.indexOf("records_per_s")]) > 0, row);
            assertTrue(Double.parseDouble(cells[columns.indexOf("unsynced_mb_at_end")]) >= 0, row);
            assertTrue(Double.parseDouble(cells[columns.indexOf("send_p50_ms")]) > 0, row);
            assertTrue(Double.parseDouble(cells[columns.indexOf("e2e_p50_ms")]) > 0, row);
        }
        String html = Files.readString(out.resolve(ResultsWriter.HTML));
        assertTrue(html.contains("acks=all fsync=always rf=3 100B open@500/s"));
        assertTrue(Files.isDirectory(out.resolve("logs")), "node logs kept beside the results");

        for (int c = 1; c <= 2; c++) {
            for (int node = 1; node <= 3; node++) {
                Path jfr = out.resolve(NodeProfiles.DIR).resolve("case-" + c + "-rlog-node" + node + ".jfr");
                assertTrue(Files.isRegularFile(jfr), jfr + " missing; stderr:\n" + stderr);
                long samples;
                try (Stream<RecordedEvent> events = RecordingFile.readAllEvents(jfr).stream()) {
                    samples = events.filter(e -> e.getEventType().getName().equals("jdk.ExecutionSample")).count();
                }
                assertTrue(samples > 0, jfr + " has no CPU samples");
            }
        }
    }
}
