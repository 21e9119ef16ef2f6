package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.cli.Main;
import io.rlog.cli.common.Poll;
import io.rlog.cli.local.ChildProcesses;
import io.rlog.cli.local.LaunchOptions;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `rlog bench` told to stop mid-case (SIGTERM, as `timeout` or a supervisor sends it) leaves nothing behind: its
 * node processes are gone and its work folder is deleted. A real bench process with real node processes.
 */
class BenchStopTest {
    private static final Pattern CLUSTER_DIR = Pattern.compile("starting a 3-node rlog cluster .* in (\\S+)$");

    @Test
    void sigtermStopsTheNodesAndDeletesTheirData(@TempDir Path dir) throws Exception {
        LaunchOptions launch = LaunchOptions.defaults();
        List<String> command = new ArrayList<>(List.of(launch.javaCommand(), "-Xmx256m", "-cp", launch.classpath(),
                Main.class.getName(), "bench", "--acks", "all", "--fsync", "always", "--rf", "3", "--record-size",
                "100", "--partitions", "2", "--target-rate", "200", "--duration-s", "600", "--warmup-s", "0",
                "--cluster-warmup-s", "0", "--out", dir.resolve("out").toString()));
        Path output = dir.resolve("bench-output.txt");
        Process bench = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        List<ProcessHandle> nodes = List.of();
        try {
            Path clusterDir = clusterOnceItsCaseRuns(bench, output);
            nodes = bench.descendants().filter(ProcessHandle::isAlive).toList();
            assertEquals(3, nodes.size(), "one process per node: " + nodes + "\n" + Files.readString(output));
            assertTrue(Files.isDirectory(clusterDir), clusterDir + " exists while the case runs");

            bench.destroy(); // SIGTERM
            assertTrue(bench.waitFor(90, TimeUnit.SECONDS), "the bench did not exit within 90 s of SIGTERM");
            assertEquals(List.of(), ChildProcesses.awaitExit(nodes, Duration.ofSeconds(30)),
                    "node processes still running 30 s after the bench exited");
            assertFalse(Files.exists(clusterDir.getParent()), "work folder left behind: " + clusterDir.getParent()
                    + "\n" + Files.readString(output));
            String seen = Files.readString(output);
            assertTrue(seen.contains("stopping: the clusters are shut down"), seen);
        } finally {
            bench.destroyForcibly();
            nodes.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The cluster's folder, from the bench's output, once its first case has started. */
    private static Path clusterOnceItsCaseRuns(Process bench, Path output) throws Exception {
        AtomicReference<Path> running = new AtomicReference<>();
        Poll.until(() -> !bench.isAlive() || running.updateAndGet(p -> p != null ? p : runningCase(output)) != null,
                Duration.ofSeconds(120), Duration.ofMillis(200));
        assertTrue(running.get() != null, "the bench's case did not start within 120 s (bench alive: "
                + bench.isAlive() + "):\n" + Files.readString(output));
        return running.get();
    }

    /** The cluster's folder if the output shows its first case started, else null. */
    private static Path runningCase(Path output) {
        try {
            Path clusterDir = null;
            for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
                Matcher m = CLUSTER_DIR.matcher(line);
                if (m.find()) {
                    clusterDir = Path.of(m.group(1));
                }
                if (clusterDir != null && line.contains("[1/1] rlog") && line.contains("starting")) {
                    return clusterDir;
                }
            }
            return null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
