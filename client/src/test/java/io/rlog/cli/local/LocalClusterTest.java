package io.rlog.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.cli.common.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LocalCluster against {@link FakeNode} JVMs: real processes, ports, signals and health checks. */
class LocalClusterTest {
    private static final LaunchOptions FAKE = LaunchOptions.defaults()
            .withMainClass(FakeNode.class.getName())
            .withJvmArgs(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"))
            .withStartTimeout(Duration.ofSeconds(30))
            .withStopTimeout(Duration.ofSeconds(10));

    @TempDir
    Path dir;

    private final List<String> notices = new CopyOnWriteArrayList<>();

    private LocalCluster start(int nodes, Map<String, String> settings, LaunchOptions options)
            throws IOException, InterruptedException {
        return LocalCluster.start(dir, PortScheme.findFree(nodes), settings, options, notices::add);
    }

    @Test
    void startsKillsRestartsPausesAndStopsNodes() throws Exception {
        OptionalLong[] pids = new OptionalLong[4];
        try (LocalCluster c = start(3, Map.of("num.partitions", "3"), FAKE)) {
            PortScheme ports = c.ports();
            assertEquals(ports.bootstrapServers("127.0.0.1"), c.bootstrapServers());
            for (int k = 1; k <= 3; k++) {
                assertEquals(NodeState.RUNNING, c.state(k));
                assertTrue(c.isHealthy(k));
                pids[k] = c.pid(k);
            }

            c.kill(2);
            assertEquals(NodeState.STOPPED, c.state(2));
            assertFalse(c.isHealthy(2));
            assertTrue(reaped(pids[2].getAsLong()), "killed node's process still alive");

            c.restart(2);
            assertEquals(NodeState.RUNNING, c.state(2));
            assertTrue(c.isHealthy(2));
            assertTrue(c.logTail(2, 100).contains("starting node 2"), "restart appends to the same log");

            c.pause(3);
            NodeStatus paused = c.status().get(2);
            assertEquals(NodeState.PAUSED, paused.state());
            assertEquals("-", paused.health());
            c.resume(3);
            c.awaitHealthy(3, Duration.ofSeconds(10));
            assertEquals(pids[3], c.pid(3), "resume keeps the same process");

            // A paused node must still stop: close() below sends SIGTERM then SIGCONT.
            c.pause(1);
        }
        for (int k = 1; k <= 3; k++) {
            assertFalse(Files.exists(dir.resolve("node-" + k).resolve("pid")), "pid file left for node " + k);
        }
        assertTrue(notices.isEmpty(), "unexpected notices: " + notices);
    }

    @Test
    void writesNodeConfigsAndTheClusterFile() throws Exception {
        try (LocalCluster c = start(2, Map.of("auto.create.topics.enable", "false"), FAKE)) {
            Properties node2 = load(dir.resolve("node-2/node.properties"));
            assertEquals("2", node2.getProperty("node.id"));
            assertEquals(c.ports().clusterNodes("127.0.0.1"), node2.getProperty("cluster.nodes"));
            assertEquals(Integer.toString(c.nodeKafkaPort(2)), node2.getProperty("kafka.port"));
            assertEquals(Integer.toString(c.nodeRaftPort(2)), node2.getProperty("raft.port"));
            assertEquals(Integer.toString(c.nodeHttpPort(2)), node2.getProperty("http.port"));
            assertEquals(dir.resolve("node-2/data").toAbsolutePath().toString(), node2.getProperty("data.dir"));
            assertEquals("always", node2.getProperty("raft.log.fsync"));
            assertEquals("false", node2.getProperty("auto.create.topics.enable"));

            Properties cluster = load(dir.resolve("cluster.properties"));
            assertEquals(c.bootstrapServers(), cluster.getProperty("bootstrap.servers"));
            assertEquals("2", cluster.getProperty("nodes"));

            LocalCluster reopened = LocalCluster.open(dir, FAKE, notices::add);
            assertEquals(c.bootstrapServers(), reopened.bootstrapServers());
            assertEquals(c.pid(1), reopened.pid(1));
        }
    }

    @Test
    void aNodeThatDiesDuringStartFailsTheStartWithItsLogAndLeavesNothingRunning() throws Exception {
        LocalClusterException e = assertThrows(LocalClusterException.class,
                () -> start(2, Map.of("fake.exit.at.start", "true"), FAKE));

        assertTrue(e.getMessage().contains("exit"), e.getMessage());
        assertTrue(e.getMessage().contains("exiting at start as configured"), "no log tail: " + e.getMessage());
        LocalCluster c = LocalCluster.open(dir, FAKE, notices::add);
        assertEquals(NodeState.STOPPED, c.state(1));
        assertEquals(NodeState.STOPPED, c.state(2));
    }

    @Test
    void refusesToStartWhenOneOfItsPortsIsTaken() throws Exception {
        PortScheme ports = PortScheme.findFree(2);
        try (ServerSocket squatter = new ServerSocket(ports.raftPort(2), 1, InetAddress.getLoopbackAddress())) {
            LocalClusterException e = assertThrows(LocalClusterException.class,
                    () -> LocalCluster.start(dir, ports, Map.of(), FAKE, notices::add));
            assertTrue(e.getMessage().contains("ports [" + ports.raftPort(2) + "] are in use"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("node-1/pid")), "a node was started");
    }

    @Test
    void aNodeThatIgnoresSigtermIsKilledAfterTheStopTimeout() throws Exception {
        LaunchOptions quick = FAKE.withStopTimeout(Duration.ofSeconds(1));
        LocalCluster c = start(1, Map.of("fake.hang.on.stop", "true"), quick);
        long pid = c.pid(1).orElseThrow();

        c.stop();

        assertEquals(NodeState.STOPPED, c.state(1));
        assertTrue(reaped(pid), "node's process still alive");
        assertTrue(notices.stream().anyMatch(n -> n.contains("sending SIGKILL")), notices.toString());
    }

    @Test
    void refusesAnotherShapeOnAnExistingDirectoryAndReservedSettings() throws Exception {
        try (LocalCluster c = start(1, Map.of(), FAKE)) {
            c.stop();
            LocalClusterException e = assertThrows(LocalClusterException.class,
                    () -> LocalCluster.start(dir, new PortScheme(c.ports().basePort(), 2), Map.of(), FAKE, notices::add));
            assertTrue(e.getMessage().contains("holds a cluster of 1 nodes"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> start(1, Map.of("data.dir", "/tmp/x"), FAKE));
    }

    /**
     * Whether the process is gone for the OS too. The node is our child here, so the JDK's reaper thread
     * collects it shortly after it exits; LocalCluster already counts the zombie as exited.
     */
    private static boolean reaped(long pid) throws InterruptedException {
        return Poll.until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true),
                Duration.ofSeconds(10), Duration.ofMillis(20));
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p;
    }
}
