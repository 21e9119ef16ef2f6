package io.rlog.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.cli.common.Poll;
import io.rlog.cli.local.ChildProcesses;
import io.rlog.cli.local.LaunchOptions;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `rlog chaos` told to stop mid-run (SIGTERM) takes its cluster with it: a real chaos process whose run has real
 * node processes and clients writing its history; after the signal no node process is left.
 */
class ChaosStopTest {
    private static final int NODES = 3;

    @Test
    void sigtermStopsTheRunsNodes(@TempDir Path dir) throws Exception {
        LaunchOptions launch = LaunchOptions.defaults();
        Path output = dir.resolve("chaos-output.txt");
        Path out = dir.resolve("out");
        Process chaos = new ProcessBuilder(launch.javaCommand(), "-Xmx256m",
                "-Djdk.net.hosts.file=" + System.getProperty("jdk.net.hosts.file"), "-cp", launch.classpath(),
                ChaosCommand.class.getName(), "--runs", "1", "--duration", "600", "--faults", "none",
                "--nodes", Integer.toString(NODES), "--seed", "1", "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        List<ProcessHandle> nodes = List.of();
        try {
            nodes = nodesOnceClientsWrite(chaos, out.resolve("run-1.jsonl"), output);

            chaos.destroy(); // SIGTERM
            assertTrue(chaos.waitFor(60, TimeUnit.SECONDS), "rlog chaos did not exit within 60 s of SIGTERM");
            assertEquals(List.of(), ChildProcesses.awaitExit(nodes, Duration.ofSeconds(30)),
                    "node processes still running 30 s after rlog chaos exited");
        } finally {
            chaos.destroyForcibly();
            nodes.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The node processes, once the run's clients have written operations into its history. */
    private static List<ProcessHandle> nodesOnceClientsWrite(Process chaos, Path history, Path output)
            throws Exception {
        boolean writing = Poll.until(
                () -> !chaos.isAlive() || (nodes(chaos).size() == NODES && operations(history) > 10),
                Duration.ofSeconds(120), Duration.ofMillis(200));
        assertTrue(writing && chaos.isAlive(), "the run's clients wrote no history within 120 s (rlog chaos alive: "
                + chaos.isAlive() + "):\n" + Files.readString(output));
        return nodes(chaos);
    }

    private static List<ProcessHandle> nodes(Process chaos) {
        return chaos.descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** Operations recorded in the history so far. */
    private static long operations(Path history) {
        try {
            return Files.exists(history)
                    ? Files.readAllLines(history).stream().filter(l -> l.contains("\"type\"")).count() : 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
