package io.rlog.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kafka's own console producer and consumer (kafka-tools 4.4.0) and librdkafka's kcat against rlog. */
class ConsoleToolsTest extends ProcessClusterTest {

    record Result(int exit, String stdout, String stderr) {}

    static Result run(List<String> command, String stdin, long timeoutS) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(command.get(command.size() > 4 ? 4 : 0) + " did not finish in " + timeoutS
                    + " s; stderr: " + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static List<String> java(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    @Test
    void kafkaConsoleProducerAndConsumerRoundTrip() throws Exception {
        // Two partitions, read by the console consumer as a member of a group; Kafka's group tool then shows its lag.
        createTopic("console", 2, 3);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            lines.append("key").append(i).append(':').append("line-").append(i).append('\n');
        }
        Result produced = run(java("org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server",
                cluster.bootstrapServers(), "--topic", "console", "--property", "parse.key=true",
                "--property", "key.separator=:", "--producer-property", "acks=all"), lines.toString(), 120);
        assertEquals(0, produced.exit(), produced.stderr());
        Result consumed = run(java("org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server",
                cluster.bootstrapServers(), "--topic", "console", "--group", "console-group", "--from-beginning",
                "--max-messages", "50",
                "--formatter-property", "print.key=true", "--formatter-property", "key.separator=:",
                "--timeout-ms", "60000"), "", 120);
        assertEquals(0, consumed.exit(), consumed.stderr());
        List<String> got = new ArrayList<>(consumed.stdout().lines().toList());
        List<String> want = new ArrayList<>(lines.toString().lines().toList());
        got.sort(null);
        want.sort(null);
        assertEquals(want, got);

        Result listed = run(java("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server",
                cluster.bootstrapServers(), "--list"), "", 120);
        assertEquals(0, listed.exit(), listed.stderr());
        assertTrue(listed.stdout().lines().anyMatch("console-group"::equals), listed.stdout());
        produced = run(java("org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server", cluster.bootstrapServers(),
                "--topic", "console", "--producer-property", "acks=all"), "a\nb\nc\nd\n", 120);
        assertEquals(0, produced.exit(), produced.stderr());
        Result described = run(java("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server",
                cluster.bootstrapServers(), "--describe", "--group", "console-group"), "", 120);
        assertEquals(0, described.exit(), described.stderr());
        // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...: the 50 read are committed, the 4 new ones lag.
        long lag = 0;
        long current = 0;
        for (String line : described.stdout().lines().filter(l -> l.startsWith("console-group")).toList()) {
            String[] f = line.trim().split("\\s+");
            current += Long.parseLong(f[3]);
            lag += Long.parseLong(f[5]);
        }
        assertEquals(50, current, described.stdout());
        assertEquals(4, lag, described.stdout());
    }

    @Test
    void kcatConsumesInAGroup() throws Exception {
        boolean haveKcat = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "kcat")));
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(haveKcat, "kcat is not installed");
        }
        createTopic("kcat-group", 2, 3);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            lines.append("k").append(i).append(':').append("msg-").append(i).append('\n');
        }
        Result produced = run(List.of("kcat", "-b", cluster.bootstrapServers(), "-t", "kcat-group", "-P", "-K:",
                "-X", "acks=all"), lines.toString(), 60);
        assertEquals(0, produced.exit(), produced.stderr());
        // -G: librdkafka's balanced consumer (JoinGroup, SyncGroup, Heartbeat, OffsetCommit) with group kcat-g.
        Result consumed = run(List.of("kcat", "-b", cluster.bootstrapServers(), "-G", "kcat-g", "kcat-group",
                "-X", "auto.offset.reset=earliest", "-c", "20", "-K:", "-f", "%k:%s\n"), "", 120);
        assertEquals(0, consumed.exit(), consumed.stderr());
        List<String> got = new ArrayList<>(consumed.stdout().lines().toList());
        List<String> want = new ArrayList<>(lines.toString().lines().toList());
        got.sort(null);
        want.sort(null);
        assertEquals(want, got);
    }

    /**
     * The guide's exactly-once settings (enable_idempotence, a transactional.id, isolation.level read_committed)
     * through librdkafka's Python client, as the guide writes them: one committed and one aborted transaction; then
     * Kafka's console consumer at read_committed reads the same topic.
     */
    @Test
    void theGuidesExactlyOnceSettingsWorkFromPythonAndTheConsoleConsumer() throws Exception {
        String python = "/usr/bin/python3";
        boolean havePython = Files.isExecutable(Path.of(python))
                && run(List.of(python, "-c", "import confluent_kafka"), "", 60).exit() == 0;
        // CI installs python3-confluent-kafka (.ci/run); only a developer machine without it may skip this test.
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(havePython, "python3-confluent-kafka is not installed");
        }
        assertTrue(havePython, "python3-confluent-kafka must be installed in CI");
        createTopic("exactly-once", 2, 3);
        Path script = dir.resolve("seed_exactly_once.py");
        try (var in = ConsoleToolsTest.class.getResourceAsStream("/seed_exactly_once.py")) {
            Files.copy(in, script);
        }
        Result py = run(List.of(python, script.toString(), cluster.bootstrapServers(), "exactly-once"), "", 240);
        assertEquals(0, py.exit(), py.stdout() + py.stderr());
        List<String> lines = py.stdout().lines().toList();
        assertEquals(List.of(
                "read_committed: committed-0,committed-1,committed-2,committed-3,committed-4",
                "read_uncommitted: aborted-0,aborted-1,aborted-2,committed-0,committed-1,committed-2,committed-3,"
                        + "committed-4"), lines, py.stderr());

        Result consumed = run(java("org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server",
                cluster.bootstrapServers(), "--topic", "exactly-once", "--from-beginning",
                "--isolation-level", "read_committed", "--timeout-ms", "5000"), "", 120);
        // It reads until 5 s pass without a record, then logs its timeout on stdout too: keep the records' lines.
        List<String> got = new ArrayList<>(consumed.stdout().lines()
                .filter(l -> l.matches("(committed|aborted)-\\d+")).toList());
        got.sort(null);
        assertEquals(List.of("committed-0", "committed-1", "committed-2", "committed-3", "committed-4"), got,
                consumed.stderr());
    }

    @Test
    void kcatRoundTrip() throws Exception {
        boolean haveKcat = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "kcat")));
        // CI installs kcat (.ci/run); only a developer machine without it may skip this test.
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(haveKcat, "kcat is not installed");
        }
        assertTrue(haveKcat, "kcat must be installed in CI");
        createTopic("kcat", 3, 3);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            lines.append("k").append(i).append(':').append("msg-").append(i).append('\n');
        }
        Result produced = run(List.of("kcat", "-b", cluster.bootstrapServers(), "-t", "kcat", "-P", "-K:",
                "-X", "acks=all"), lines.toString(), 60);
        assertEquals(0, produced.exit(), produced.stderr());
        Result consumed = run(List.of("kcat", "-b", cluster.bootstrapServers(), "-t", "kcat", "-C", "-o",
                "beginning", "-e", "-c", "30", "-K:", "-f", "%k:%s\n"), "", 60);
        assertEquals(0, consumed.exit(), consumed.stderr());
        List<String> got = new ArrayList<>(consumed.stdout().lines().toList());
        List<String> want = new ArrayList<>(lines.toString().lines().toList());
        got.sort(null);
        want.sort(null);
        assertEquals(want, got);
    }
}
