package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class ReportRenderingTest {

    @Test
    void htmlIsWellFormedSelfContainedAndHoldsTheFigures() throws Exception {
        String html = HtmlReport.render(Fixtures.report());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertEquals("html", doc.getDocumentElement().getLocalName());
        assertTrue(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength() >= 4,
                "throughput and CDF charts per workload");
        assertTrue(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline").getLength() >= 4);
        for (String figure : List.of("41,234", "50,000", "0.82", "12.50", "812", "Failover timeline",
                "Loss and unavailability", "Kafka does not fsync per write by default", "Many partitions",
                "node 2 exited &amp; &lt;died&gt;", "TimeoutException: x &lt;y&gt;", "AMD EPYC", "rlog bench --quick",
                "disk stall s", "unsynced MB", "<td>673</td>", "Inside the rlog nodes", "<td>2.20 / 6.70</td>", "JIT s")) {
            assertTrue(html.contains(figure), "report shows " + figure);
        }
        // opens without a network: no script, no stylesheet or image fetched from anywhere
        assertFalse(html.contains("<script"));
        assertFalse(html.matches("(?s).*(src|href)=\"https?:.*"));
    }

    @Test
    void csvHasOneRowPerRunWithEveryColumn() {
        String csv = ResultsWriter.resultsCsv(Fixtures.report());
        List<String> lines = csv.lines().toList();
        assertEquals(5, lines.size());
        assertEquals(ResultsWriter.RESULT_COLUMNS, List.of(lines.get(0).split(",")));
        String rlog = lines.get(1);
        assertTrue(rlog.startsWith("1,rlog,acks=all fsync=always rf=3 1024B closed,true,"));
        assertTrue(rlog.contains(",41234.000,"));
        assertTrue(rlog.contains(",0.825,0.500,0.500,"), rlog);
        assertEquals("0.750", rlog.split(",")[ResultsWriter.RESULT_COLUMNS.indexOf("node_jit_cpu_s")], "node JIT");
        assertEquals("0.250", rlog.split(",")[ResultsWriter.RESULT_COLUMNS.indexOf("bench_jit_cpu_s")], "bench JIT");
        assertEquals("6.700", rlog.split(",")[ResultsWriter.RESULT_COLUMNS.indexOf("stage_commit_p99_ms")],
                "the commit step's p99 inside the nodes");
        assertEquals("", rlog.split(",", -1)[ResultsWriter.RESULT_COLUMNS.indexOf("stage_admit_p99_ms")],
                "a step the nodes did not report");
        assertEquals("1.500", rlog.split(",")[ResultsWriter.RESULT_COLUMNS.indexOf("io_stall_s")], "disk stall s");
        assertEquals("672.500", rlog.split(",")[ResultsWriter.RESULT_COLUMNS.indexOf("unsynced_mb_at_end")],
                "unsynced MB");
        assertTrue(lines.get(4).contains(",node 2 exited & <died>,"), "the error is one cell");
    }

    @Test
    void timeseriesHasOneRowPerSecond() {
        List<String> lines = ResultsWriter.timeseriesCsv(Fixtures.report()).lines().toList();
        assertEquals(1 + 3 * 10, lines.size());
        assertTrue(lines.get(1).startsWith("1,rlog,1.000,1.000,41234,41234.000,"));
    }

    @Test
    void jsonHoldsMachineVersionsSettingsCasesAndRatios() {
        String json = ResultsWriter.json(Fixtures.report());
        for (String s : List.of("\"machine\"", "\"cores\": 2", "\"versions\"", "\"kafka-clients\": \"4.4.0\"",
                "\"settings\"", "\"recordsPerS\": 41234", "\"records_per_s\": 0.82468", "\"lost\": 2",
                "\"many_partitions\"", "\"error\": \"node 2 exited & <died>\"", "\"ioStallS\": 1.5",
                "\"unsyncedMbAtEnd\": 672.5")) {
            assertTrue(json.contains(s), "json has " + s);
        }
        assertEquals(count(json, '{'), count(json, '}'));
        assertEquals(count(json, '['), count(json, ']'));
    }

    @Test
    void jsonEscapesAndDropsNonFiniteNumbers() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("a\"b", "x\ny\\");
        m.put("n", Double.NaN);
        m.put("d", 0.5);
        m.put("l", List.of(1, 2));
        assertEquals("{\n  \"a\\\"b\": \"x\\ny\\\\\",\n  \"n\": null,\n  \"d\": 0.5,\n  \"l\": [1,2]\n}\n",
                Json.write(m));
    }

    @Test
    void summaryLineEndsWithTheHeadlineRatio() {
        String line = BenchCommand.summaryLine(Fixtures.report());
        assertTrue(line.startsWith("summary cases=4 failed=1 lost=2 duplicates=0 "), line);
        assertTrue(line.contains(" records_per_s=41234 "), line);
        assertTrue(line.endsWith(" ratio=0.82"), line);
    }

    @Test
    void recordsTheReadBackDidNotReachAreNotCountedAsLost() {
        CaseResult r = Fixtures.result(1, "rlog", Fixtures.spec(Fault.NONE, true), 1_000, 50, 300);
        CaseResult incomplete = new CaseResult(r.index(), r.system(), r.spec(), r.topic(), r.startedAt(), r.sent(),
                r.acked(), r.failed(), r.measuredS(), r.recordsPerS(), r.mbPerS(), r.send(), r.e2e(), r.sendCdf(),
                r.e2eCdf(), r.seconds(), r.loss(), false, r.ackGap(), r.events(), r.cpu(), r.nodeStages(), r.errors(), r.error());
        assertEquals(300, r.lost());
        assertEquals(-1, incomplete.lost(), "unread is not lost");
        BenchReport report = new BenchReport(Fixtures.report().machine(), Map.of(), Map.of(),
                List.of(incomplete, Fixtures.result(2, "rlog", Fixtures.spec(Fault.NONE, false), 900, 40, 2)),
                List.of(), null, List.of(), java.time.Instant.parse("2026-01-02T03:10:00Z"), "1 1 1");
        String line = BenchCommand.summaryLine(report);
        assertTrue(line.startsWith("summary cases=2 failed=0 lost=2 duplicates=0 read_back_incomplete=1 "), line);
        assertTrue(BenchRunner.summary(incomplete).contains("lost unknown (read-back incomplete)"),
                BenchRunner.summary(incomplete));
    }

    @Test
    void writesEveryFile(@TempDir Path dir) throws Exception {
        ResultsWriter.writeAll(Fixtures.report(), dir);
        for (String f : List.of(ResultsWriter.CSV, ResultsWriter.TIMESERIES_CSV, ResultsWriter.JSON, ResultsWriter.HTML)) {
            assertTrue(Files.size(dir.resolve(f)) > 100, f);
        }
    }

    private static long count(String s, char c) {
        return s.chars().filter(x -> x == c).count();
    }
}
