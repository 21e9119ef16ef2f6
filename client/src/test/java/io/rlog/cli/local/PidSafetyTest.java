package io.rlog.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LocalCluster signals only the process its pid file names by pid AND start instant. A real `sleep` stands
 * in for a node; a pid file with its pid but another start instant is what a reused pid looks like.
 */
class PidSafetyTest {
    @TempDir
    Path dir;

    private Process sleep;
    private final List<String> notices = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startSleep() throws IOException {
        sleep = new ProcessBuilder("sleep", "300").start();
    }

    @AfterEach
    void stopSleep() throws InterruptedException {
        sleep.destroyForcibly();
        sleep.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void aPidFileWithAnotherStartInstantIsReportedAndNeverSignalled() throws Exception {
        LocalCluster cluster = oneNodeCluster(startInstant().plusSeconds(1));

        assertThrows(LocalClusterException.class, () -> cluster.kill(1));
        assertThrows(LocalClusterException.class, () -> cluster.pause(1));
        cluster.stop();
        cluster.close();

        assertTrue(sleep.isAlive(), "the unrelated process was signalled");
        assertFalse(OwnedProcess.procState(sleep.pid()) == 'T', "the unrelated process was SIGSTOPped");
        assertEquals(NodeState.STOPPED, cluster.state(1));
        assertTrue(notices.stream().anyMatch(n -> n.contains("stale pid file") && n.contains("not the recorded")),
                "stale pid file not reported: " + notices);
        assertTrue(Files.exists(cluster.nodeDir(1).resolve("pid")), "a stale pid file is left for the user");
    }

    @Test
    void aPidFileOfAnExitedProcessIsStale() throws Exception {
        Instant start = startInstant();
        sleep.destroyForcibly();
        assertTrue(sleep.waitFor(10, TimeUnit.SECONDS));

        LocalCluster cluster = oneNodeCluster(start);

        assertEquals(NodeState.STOPPED, cluster.state(1));
        assertTrue(notices.stream().anyMatch(n -> n.contains("has exited")), "not reported: " + notices);
    }

    @Test
    void theRecordedProcessIsPausedResumedAndKilled() throws Exception {
        LocalCluster cluster = oneNodeCluster(startInstant());

        assertEquals(NodeState.RUNNING, cluster.state(1));
        cluster.pause(1);
        assertEquals(NodeState.PAUSED, cluster.state(1));
        cluster.resume(1);
        assertEquals(NodeState.RUNNING, cluster.state(1));
        cluster.kill(1);

        assertTrue(sleep.waitFor(10, TimeUnit.SECONDS), "kill did not end the recorded process");
        assertEquals(NodeState.STOPPED, cluster.state(1));
        assertFalse(Files.exists(cluster.nodeDir(1).resolve("pid")), "pid file of a killed node remains");
    }

    @Test
    void startRefusesADirectoryWithARunningNode() throws Exception {
        oneNodeCluster(startInstant());
        PortScheme ports = ClusterFiles.schemeOf(ClusterFiles.readCluster(dir), dir);

        LocalClusterException e = assertThrows(LocalClusterException.class, () -> LocalCluster.start(dir, ports,
                java.util.Map.of(), LaunchOptions.defaults().withMainClass(FakeNode.class.getName()), notices::add));

        assertTrue(e.getMessage().contains("already has running nodes [1]"), e.getMessage());
        assertTrue(sleep.isAlive());
    }

    /** A one-node cluster directory whose pid file names the sleep with the given start instant. */
    private LocalCluster oneNodeCluster(Instant recordedStart) throws IOException {
        PortScheme ports = PortScheme.findFree(1);
        ClusterFiles.writeAtomically(dir.resolve(ClusterFiles.CLUSTER_FILE),
                ClusterFiles.clusterFile(ports, LocalCluster.HOST));
        Files.createDirectories(ClusterFiles.nodeDir(dir, 1));
        new PidFile(sleep.pid(), recordedStart).write(ClusterFiles.nodeDir(dir, 1).resolve("pid"));
        return LocalCluster.open(dir, LaunchOptions.defaults().withStopTimeout(Duration.ofSeconds(5)), notices::add);
    }

    private Instant startInstant() {
        return sleep.toHandle().info().startInstant().orElseThrow();
    }
}
