package io.rlog.chaos;

import io.rlog.chaos.nemesis.ClusterControl;
import io.rlog.chaos.nemesis.CutStyle;
import io.rlog.chaos.nemesis.Link;
import io.rlog.chaos.nemesis.ProxyNetwork;
import io.rlog.cli.local.LaunchOptions;
import io.rlog.cli.local.LocalCluster;
import io.rlog.cli.local.PortScheme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A real cluster of `rlog server` processes wired through a {@link ProxyNetwork}, as the nemesis sees it.
 *
 * <p>Each node runs with {@code -Djdk.net.hosts.file=hosts}: a relative path, which every node JVM resolves
 * against its own working directory (LocalCluster starts node K in DIR/node-K), where this class writes node
 * K's hosts file. So one set of JVM flags gives every node its own view of the network.
 */
public final class LocalChaosCluster implements ClusterControl, AutoCloseable {
    /** Node JVMs are smaller than `rlog local`'s default: three of them and the harness share 2 cores. */
    static final List<String> NODE_JVM_ARGS = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
            "-XX:TieredStopAtLevel=1", "-Djdk.net.hosts.file=hosts");
    /** Three node JVMs starting at once on 2 busy cores have been seen to need more than a minute. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final LocalCluster cluster;
    private final ProxyNetwork network;
    private volatile IntFunction<OptionalInt> leaders = p -> OptionalInt.empty();

    private LocalChaosCluster(LocalCluster cluster, ProxyNetwork network) {
        this.cluster = cluster;
        this.network = network;
    }

    public static LocalChaosCluster start(Path dir, int nodes) throws IOException, InterruptedException {
        ProxyNetwork.requireClientResolution();
        removeStoppedCluster(dir);
        PortScheme ports = PortScheme.findFree(nodes);
        ProxyNetwork network = ProxyNetwork.start(ports);
        try {
            for (int k = 1; k <= nodes; k++) {
                Path nodeDir = dir.resolve("node-" + k);
                Files.createDirectories(nodeDir);
                Files.writeString(nodeDir.resolve("hosts"), network.nodeHostsFile(k));
            }
            LaunchOptions options = LaunchOptions.defaults().withJvmArgs(NODE_JVM_ARGS)
                    .withStartTimeout(START_TIMEOUT).withStopTimeout(Duration.ofSeconds(10));
            // Raft binds 127.0.0.1 only, so the per-pair proxies can use the same port on 127.I.J.1.
            Map<String, String> settings = Map.of("raft.bind.host", LocalCluster.HOST);
            LocalCluster cluster = LocalCluster.start(dir, ports, settings, options, System.err::println,
                    ProxyNetwork::peerName);
            return new LocalChaosCluster(cluster, network);
        } catch (IOException | InterruptedException | RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /**
     * A run's cluster folder is scratch space named after the run; an earlier run of the same name left its
     * stopped cluster there (on other free ports), which LocalCluster would refuse to reuse. Removed unless one of
     * its nodes still runs: that is left alone, and LocalCluster then says so.
     */
    private static void removeStoppedCluster(Path dir) throws IOException {
        if (!Files.exists(dir.resolve("cluster.properties"))) {
            return;
        }
        LocalCluster old = LocalCluster.open(dir);
        for (int k = 1; k <= old.nodeCount(); k++) {
            if (old.state(k) != io.rlog.cli.local.NodeState.STOPPED) {
                return;
            }
        }
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Bootstrap servers through the client proxies. */
    public String bootstrapServers() {
        return network.bootstrapServers();
    }

    public Path dir() {
        return cluster.dir();
    }

    /** Where the nemesis learns who leads (the run's leader observer). */
    public void leadersFrom(IntFunction<OptionalInt> source) {
        this.leaders = source;
    }

    @Override
    public int nodes() {
        return cluster.nodeCount();
    }

    @Override
    public void kill(int node) throws Exception {
        cluster.kill(node);
    }

    @Override
    public void restart(int node) throws Exception {
        cluster.restart(node);
    }

    @Override
    public void pause(int node) throws Exception {
        cluster.pause(node);
    }

    @Override
    public void resume(int node) throws Exception {
        cluster.resume(node);
    }

    @Override
    public void cut(Set<Link> links, CutStyle style) {
        network.cut(links, style);
    }

    @Override
    public OptionalInt leaderOf(int partition) {
        return leaders.apply(partition);
    }

    /** Every node healthy within the bound? (After healing, before the final read.) */
    public boolean awaitHealthy(Duration timeout) throws InterruptedException {
        try {
            for (int k = 1; k <= nodes(); k++) {
                cluster.awaitHealthy(k, timeout);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public List<String> logTails(int lines) {
        List<String> out = new ArrayList<>();
        for (int k = 1; k <= nodes(); k++) {
            out.add("--- node " + k + " ---\n" + cluster.logTail(k, lines));
        }
        return out;
    }

    /** Heals the network and stops every node by its pid (SIGTERM, SIGKILL after the bound), then the proxies. */
    @Override
    public void close() {
        try {
            network.heal();
            cluster.close();
        } finally {
            network.close();
        }
    }
}
