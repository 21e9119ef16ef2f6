package io.rlog.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A cluster of rlog nodes on loopback, one background JVM per node, driven by `rlog local` and by tests:
 * <pre>
 *   try (LocalCluster c = LocalCluster.start(dir, 3, PortScheme.findFree(3).basePort(), Map.of())) {
 *       c.bootstrapServers(); c.kill(2); c.restart(2);
 *   }
 * </pre>
 * The directory is the cluster's whole state (see {@link ClusterFiles}), so another process can {@link #open}
 * it later; nodes outlive the JVM that started them unless it closes the cluster.
 *
 * <p>Safety: a node is signalled only after its pid file's (pid, start instant) is verified against the live
 * process ({@link OwnedProcess}); a stale pid file is reported to the notices, never signalled.
 *
 * <p>Threads: calls on different nodes may run concurrently (a chaos test kills node 1 while node 2 restarts);
 * calls on one node are serialized.
 */
public final class LocalCluster implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    /** SIGKILL cannot be caught; this bound only covers the kernel tearing down a big JVM. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final PortScheme ports;
    private final LaunchOptions options;
    private final Consumer<String> notices;
    private final HealthProbe probe = new HealthProbe();
    private final List<LocalNode> nodes = new ArrayList<>();
    private final List<ReentrantLock> locks = new ArrayList<>();

    private LocalCluster(Path dir, PortScheme ports, LaunchOptions options, Consumer<String> notices) {
        this.dir = dir;
        this.ports = ports;
        this.options = options;
        this.notices = notices;
        for (int k = 1; k <= ports.nodes(); k++) {
            nodes.add(new LocalNode(k, dir, options, notices));
            locks.add(new ReentrantLock());
        }
    }

    /** Starts {@code nodeCount} nodes with the default launch options; notices go to stderr. */
    public static LocalCluster start(Path dir, int nodeCount, int basePort, Map<String, String> settings)
            throws IOException, InterruptedException {
        return start(dir, new PortScheme(basePort, nodeCount), settings, LaunchOptions.defaults(),
                System.err::println);
    }

    /**
     * Writes every node's config and cluster.properties, starts every node and waits until each one's /health
     * answers 200. On any failure it stops the nodes it started and throws, so a failed start leaves nothing
     * running.
     *
     * @param settings extra node.properties lines for every node (`--set`); may not name a key the tool sets
     * @throws LocalClusterException when DIR has running nodes, holds a cluster of another shape, or a node
     *                               dies or stays unhealthy past {@link LaunchOptions#startTimeout()}
     */
    public static LocalCluster start(Path dir, PortScheme ports, Map<String, String> settings,
                                     LaunchOptions options, Consumer<String> notices)
            throws IOException, InterruptedException {
        return start(dir, ports, settings, options, notices, k -> HOST);
    }

    /**
     * As {@link #start(Path, PortScheme, Map, LaunchOptions, Consumer)}, but cluster.nodes names node k by
     * {@code peerHosts.apply(k)} instead of {@link #HOST} (listeners still bind {@link #HOST}). The chaos tests
     * use host names that each node resolves through its own hosts file to per-pair network proxies.
     */
    public static LocalCluster start(Path dir, PortScheme ports, Map<String, String> settings,
                                     LaunchOptions options, Consumer<String> notices, IntFunction<String> peerHosts)
            throws IOException, InterruptedException {
        ClusterFiles.validateSettings(settings);
        Files.createDirectories(dir);
        Properties existing = ClusterFiles.readCluster(dir);
        if (!existing.isEmpty()) {
            PortScheme old = ClusterFiles.schemeOf(existing, dir);
            if (!old.equals(ports)) {
                throw new LocalClusterException(dir + " holds a cluster of " + old.nodes() + " nodes on base port "
                        + old.basePort() + "; start it with the same --nodes and --base-port, or remove " + dir);
            }
        }
        LocalCluster cluster = new LocalCluster(dir, ports, options, notices);
        List<Integer> running = cluster.runningNodes();
        if (!running.isEmpty()) {
            throw new LocalClusterException(dir + " already has running nodes " + running
                    + "; stop them first: rlog local stop --dir " + dir);
        }
        List<Integer> taken = ports.portsInUse();
        if (!taken.isEmpty()) {
            throw new LocalClusterException("ports " + taken + " are in use on " + HOST + "; the cluster uses ports in "
                    + ports.basePort() + ".." + (ports.basePort() + PortScheme.SPAN) + ": choose another --base-port");
        }
        for (LocalNode node : cluster.nodes) {
            node.writeConfig(ports, HOST, peerHosts, settings);
        }
        ClusterFiles.writeAtomically(dir.resolve(ClusterFiles.CLUSTER_FILE), ClusterFiles.clusterFile(ports, HOST));
        try {
            for (LocalNode node : cluster.nodes) {
                node.launch();
            }
            cluster.awaitHealthy(cluster.allIds(), options.startTimeout());
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.stopAfterFailure(e);
            throw e;
        }
        return cluster;
    }

    /** The cluster a `local start` left in {@code dir}, to control its nodes; starts nothing. */
    public static LocalCluster open(Path dir) throws IOException {
        return open(dir, LaunchOptions.defaults(), System.err::println);
    }

    public static LocalCluster open(Path dir, LaunchOptions options, Consumer<String> notices) throws IOException {
        Properties cluster = ClusterFiles.readCluster(dir);
        if (cluster.isEmpty()) {
            throw new LocalClusterException("no local cluster in " + dir + " (no " + ClusterFiles.CLUSTER_FILE
                    + "); start one with: rlog local start --dir " + dir);
        }
        return new LocalCluster(dir, ClusterFiles.schemeOf(cluster, dir), options, notices);
    }

    public Path dir() {
        return dir;
    }

    public PortScheme ports() {
        return ports;
    }

    public int nodeCount() {
        return ports.nodes();
    }

    public String bootstrapServers() {
        return ports.bootstrapServers(HOST);
    }

    public int nodeKafkaPort(int node) {
        return ports.kafkaPort(node);
    }

    public int nodeRaftPort(int node) {
        return ports.raftPort(node);
    }

    public int nodeHttpPort(int node) {
        return ports.httpPort(node);
    }

    public Path nodeDir(int node) {
        return node(node).dir();
    }

    public Path nodeLog(int node) {
        return node(node).logFile();
    }

    public String logTail(int node, int lines) {
        return node(node).logTail(lines);
    }

    /** The pid of the node's verified process, if one runs. */
    public OptionalLong pid(int node) throws IOException {
        return node(node).owned().map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
    }

    public NodeState state(int node) throws IOException {
        return node(node).owned().map(OwnedProcess::state).orElse(NodeState.STOPPED);
    }

    public boolean isHealthy(int node) throws InterruptedException {
        return probe.isHealthy(HOST, ports.httpPort(node));
    }

    /** How many partition replicas the node hosts now (its rlog_partitions_hosted gauge); empty if it does not answer. */
    public OptionalLong partitionsHosted(int node) throws InterruptedException {
        return probe.gauge(HOST, ports.httpPort(node), "rlog_partitions_hosted");
    }

    /** The node's /metrics text (Prometheus); empty if it does not answer. */
    public Optional<String> metrics(int node) throws InterruptedException {
        return probe.metrics(HOST, ports.httpPort(node));
    }

    public List<NodeStatus> status() throws IOException, InterruptedException {
        List<NodeStatus> out = new ArrayList<>();
        for (LocalNode node : nodes) {
            Optional<OwnedProcess> process = node.owned();
            NodeState state = process.map(OwnedProcess::state).orElse(NodeState.STOPPED);
            String health = state == NodeState.RUNNING ? probe.describe(HOST, ports.httpPort(node.id())) : "-";
            out.add(new NodeStatus(node.id(), process.map(OwnedProcess::pid).orElse(0L), state,
                    ports.kafkaPort(node.id()), ports.raftPort(node.id()), ports.httpPort(node.id()), health));
        }
        return out;
    }

    /** SIGKILL, then waits until the process is gone. */
    public void kill(int node) throws IOException, InterruptedException {
        withLock(node, () -> {
            OwnedProcess p = running(node);
            p.kill();
            if (!p.awaitExit(KILL_TIMEOUT)) {
                throw new LocalClusterException("node " + node + " (pid " + p.pid() + ") still runs "
                        + KILL_TIMEOUT.toSeconds() + " s after SIGKILL");
            }
            node(node).forgetPid();
        });
    }

    /** SIGSTOP, then waits until the kernel reports the process stopped. */
    public void pause(int node) throws IOException, InterruptedException {
        withLock(node, () -> {
            OwnedProcess p = running(node);
            p.pause();
            if (!p.awaitState(NodeState.PAUSED, KILL_TIMEOUT)) {
                throw new LocalClusterException("node " + node + " (pid " + p.pid() + ") did not stop on SIGSTOP");
            }
        });
    }

    /** SIGCONT, then waits until the process runs again (not until it is healthy: see awaitHealthy). */
    public void resume(int node) throws IOException, InterruptedException {
        withLock(node, () -> {
            OwnedProcess p = running(node);
            p.resume();
            if (!p.awaitState(NodeState.RUNNING, KILL_TIMEOUT)) {
                throw new LocalClusterException("node " + node + " (pid " + p.pid() + ") did not resume on SIGCONT");
            }
        });
    }

    /** Stops the node if it runs (SIGTERM, SIGKILL after the stop timeout), then does nothing else. */
    public void stopNode(int node) throws IOException, InterruptedException {
        withLock(node, () -> stopLocked(List.of(node)));
    }

    /**
     * Starts the node again on the same data and node.properties (stopping it first if it runs) and waits
     * until its /health answers 200.
     */
    public void restart(int node) throws IOException, InterruptedException {
        withLock(node, () -> {
            stopLocked(List.of(node));
            node(node).launch();
            awaitHealthy(List.of(node), options.startTimeout());
        });
    }

    /** Waits until the node's /health answers 200; throws with its log tail if it exits or the bound passes. */
    public void awaitHealthy(int node, Duration timeout) throws IOException, InterruptedException {
        awaitHealthy(List.of(node), timeout);
    }

    /**
     * Stops every node of ours: SIGTERM to all at once (plus SIGCONT to paused ones, which otherwise never
     * handle it), then SIGKILL to those still running after the stop timeout.
     */
    public void stop() throws IOException, InterruptedException {
        int held = 0;
        try {
            for (ReentrantLock lock : locks) { // always in node order, so two stops cannot deadlock
                lock.lockInterruptibly();
                held++;
            }
            stopLocked(allIds());
        } finally {
            for (int i = 0; i < held; i++) {
                locks.get(i).unlock();
            }
        }
    }

    /** Stops every node; see {@link #stop()}. Interrupted, it SIGKILLs them instead of waiting. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killAllQuietly();
        } catch (IOException e) {
            killAllQuietly();
            throw new UncheckedIOException(e);
        }
    }

    private void stopLocked(List<Integer> ids) throws IOException, InterruptedException {
        List<LocalNode> targets = new ArrayList<>();
        for (int id : ids) {
            targets.add(node(id));
        }
        StopSequence.run(targets, options.stopTimeout(), KILL_TIMEOUT, notices);
    }

    private void awaitHealthy(List<Integer> ids, Duration timeout) throws IOException, InterruptedException {
        List<LocalNode> targets = new ArrayList<>();
        for (int id : ids) {
            targets.add(node(id));
        }
        HealthWait.run(targets, probe, HOST, ports, timeout);
    }

    private OwnedProcess running(int node) throws IOException {
        return node(node).owned().orElseThrow(() -> new LocalClusterException("node " + node + " is not running"));
    }

    private List<Integer> runningNodes() throws IOException {
        List<Integer> out = new ArrayList<>();
        for (LocalNode node : nodes) {
            if (node.owned().isPresent()) {
                out.add(node.id());
            }
        }
        return out;
    }

    private void stopAfterFailure(Exception cause) {
        try {
            stopLocked(allIds());
        } catch (IOException | InterruptedException | RuntimeException e) {
            cause.addSuppressed(e);
            killAllQuietly();
        }
    }

    private void killAllQuietly() {
        for (LocalNode node : nodes) {
            try {
                node.owned().ifPresent(OwnedProcess::kill);
            } catch (IOException | RuntimeException e) {
                notices.accept("node " + node.id() + ": could not kill: " + e.getMessage());
            }
        }
    }

    private List<Integer> allIds() {
        return nodes.stream().map(LocalNode::id).toList();
    }

    private LocalNode node(int node) {
        if (node < 1 || node > nodes.size()) {
            throw new IllegalArgumentException("node must be in 1.." + nodes.size() + ", got " + node);
        }
        return nodes.get(node - 1);
    }

    private interface NodeAction {
        void run() throws IOException, InterruptedException;
    }

    private void withLock(int node, NodeAction action) throws IOException, InterruptedException {
        ReentrantLock lock = locks.get(node(node).id() - 1);
        lock.lockInterruptibly();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }
}
