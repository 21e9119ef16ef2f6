package io.rlog.cli.bench;

import io.rlog.cli.local.LaunchOptions;
import io.rlog.cli.local.LocalCluster;
import io.rlog.cli.local.PortScheme;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/** A fresh local rlog cluster (real node processes on free loopback ports) that the bench starts and stops. */
final class RlogTarget implements Target {
    private final LocalCluster cluster;
    private final Map<String, String> settings;

    private RlogTarget(LocalCluster cluster, Map<String, String> settings) {
        this.cluster = cluster;
        this.settings = settings;
    }

    /**
     * Node settings every bench cluster gets unless {@code extra} overrides them. The bench uses no consumer
     * group, so, as on the compared Kafka (which creates __consumer_offsets on first use), the offsets topic is
     * created only if a group shows up: eagerly created, its 16 idle Raft groups took about 15 % of a core per
     * node in heartbeats alone on this 2-core machine, CPU the measured partitions then lacked.
     */
    static final Map<String, String> BENCH_DEFAULTS = Map.of("offsets.topic.create.eagerly", "false");

    /** Starts {@code nodes} nodes in {@code dir} with raft.log.fsync={@code fsync} plus {@code extra} settings. */
    static RlogTarget start(Path dir, int nodes, String fsync, Map<String, String> extra, Duration startTimeout,
                            Consumer<String> notices) throws IOException, InterruptedException {
        Map<String, String> settings = new TreeMap<>(BENCH_DEFAULTS);
        settings.putAll(extra);
        settings.put("raft.log.fsync", fsync);
        LocalCluster cluster = LocalCluster.start(dir, PortScheme.findFree(nodes), settings,
                LaunchOptions.defaults().withStartTimeout(startTimeout), notices);
        return new RlogTarget(cluster, settings);
    }

    @Override
    public String system() {
        return "rlog";
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public List<Integer> nodes() {
        return IntStream.rangeClosed(1, cluster.nodeCount()).boxed().toList();
    }

    @Override
    public Map<Integer, Long> pids() throws IOException {
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (int node : nodes()) {
            OptionalLong pid = cluster.pid(node);
            if (pid.isPresent()) {
                out.put(node, pid.getAsLong());
            }
        }
        return out;
    }

    @Override
    public long partitionReplicasHosted() throws InterruptedException {
        long total = 0;
        for (int node : nodes()) {
            OptionalLong hosted = cluster.partitionsHosted(node);
            if (hosted.isEmpty()) {
                return -1;
            }
            total += hosted.getAsLong();
        }
        return total;
    }

    @Override
    public Map<Integer, NodeStages> nodeStages() throws InterruptedException {
        Map<Integer, NodeStages> out = new LinkedHashMap<>();
        for (int node : nodes()) {
            cluster.metrics(node).map(NodeStages::parse).ifPresent(s -> out.put(node, s));
        }
        return out;
    }

    @Override
    public void kill(int node) throws IOException, InterruptedException {
        cluster.kill(node);
    }

    @Override
    public void pause(int node) throws IOException, InterruptedException {
        cluster.pause(node);
    }

    @Override
    public void resume(int node) throws IOException, InterruptedException {
        cluster.resume(node);
    }

    /**
     * Restarts the nodes concurrently: a node may not turn healthy until a quorum of its peers runs, so waiting
     * for each in turn could wait forever. LocalCluster allows calls on different nodes at once.
     */
    @Override
    public void restart(List<Integer> nodes) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<Void>> started = new ArrayList<>();
            for (int node : nodes) {
                started.add(pool.submit(() -> {
                    cluster.restart(node);
                    return null;
                }));
            }
            for (Future<Void> f : started) {
                f.get();
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public Map<String, String> topicConfigs(int rf) {
        return Map.of();
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("nodes", Integer.toString(cluster.nodeCount()));
        settings.forEach((k, v) -> out.put("node." + k, v));
        out.put("jvm", String.join(" ", LaunchOptions.defaults().jvmArgs()));
        return out;
    }

    @Override
    public void close() {
        cluster.close();
    }
}
