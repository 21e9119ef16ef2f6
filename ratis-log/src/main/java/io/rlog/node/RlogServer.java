package io.rlog.node;

import io.rlog.coordinator.GroupCoordinatorService;
import io.rlog.coordinator.OffsetsTopic;
import io.rlog.coordinator.TransactionCoordinatorService;
import io.rlog.kafka.KafkaListener;
import io.rlog.kafka.ServingGate;
import io.rlog.kafka.ListenerConfig;
import io.rlog.proto.MetadataImage;
import io.rlog.statemachine.metadata.MetadataStateMachine;
import io.rlog.statemachine.partition.PartitionStateMachine;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One rlog node: the Ratis server with its groups, the Kafka listener, and the HTTP endpoints. Started by
 * {@code rlog server --config FILE}; {@link #run(Path)} blocks until the JVM is asked to stop.
 */
public final class RlogServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RlogServer.class);

    private final NodeConfig config;
    private final MetadataView view = new MetadataView();
    private final ScheduledExecutorService executor;
    private final RaftHost host;
    private final RatisBroker broker;
    private final StageLatencies stages;
    private final KafkaListener listener;
    /** Holds the listener's requests until the metadata replica has caught up after start. */
    private final ServingGate gate = ServingGate.closed();
    private final MetadataCatchUp catchUp;
    private final GroupReconciler reconciler;
    private final LeaderReporter reporter;
    private final OffsetsTopic offsetsTopic;
    private final GroupCoordinatorService groups;
    private final TransactionCoordinatorService txns;
    private final PeerWatch peerWatch;
    private final LostLeaderElections lostLeaderElections;
    /** Starts lost leaders' elections, several groups at once (LostLeaderElections); idle otherwise. */
    private final java.util.concurrent.ExecutorService electionStarter;
    private HttpEndpoints http;

    public RlogServer(NodeConfig config) throws Exception {
        this.config = config;
        if (CommonPool.startsThreadPerTask()) {
            LOG.warn("the JVM's common ForkJoinPool has parallelism {}: every async step without an executor starts"
                    + " a thread; start the JVM with -D{}=2 (rlog's own launcher does)",
                    java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(), CommonPool.PARALLELISM_PROPERTY);
        }
        Files.createDirectories(config.dataDir());
        this.executor = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "rlog-node-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
        LeaderReporter[] reporterRef = new LeaderReporter[1];
        RatisBroker[] brokerRef = new RatisBroker[1];
        StageLatencies stages = new StageLatencies();
        this.stages = stages;
        this.host = new RaftHost(config, new MetadataStateMachine.Events() {
            @Override
            public void imageChanged(MetadataImage image) {
                view.update(image);
            }

            @Override
            public void leaderChanged(RaftGroupId groupId, RaftPeerId newLeaderId) {
                LOG.info("metadata leader is now {}", newLeaderId);
                if (brokerRef[0] != null) {
                    brokerRef[0].invalidateClusterView();
                }
            }
        }, new PartitionStateMachine.Events() {
            @Override
            public void leaderChanged(RaftGroupId groupId, RaftPeerId newLeaderId) {
                if (brokerRef[0] != null) {
                    brokerRef[0].invalidateClusterView();
                }
                if (reporterRef[0] != null && RaftHost.nodeId(newLeaderId) == config.nodeId()) {
                    reporterRef[0].triggerSoon();
                }
            }

            @Override
            public void entryApplied(long admitNanos, long commitNanos, long applyNanos) {
                stages.record(StageLatencies.Stage.ADMIT, admitNanos);
                stages.record(StageLatencies.Stage.COMMIT, commitNanos);
                stages.record(StageLatencies.Stage.APPLY, applyNanos);
            }
        });
        MetadataWriter writer = new MetadataWriter(host);
        Limits limits = Limits.from(config);
        PeerWatch[] watchRef = new PeerWatch[1];
        this.electionStarter = Executors.newFixedThreadPool(config.intSetting("peer.watch.election.threads", 4), r -> {
            Thread t = new Thread(r, "rlog-lost-leader-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
        this.lostLeaderElections = new LostLeaderElections(host.server(), config.nodeId(),
                // Not the node's executor: it may be busy with calls to the peer just lost.
                id -> watchRef[0] != null && watchRef[0].isUp(id), electionStarter,
                config.longSetting("peer.watch.election.fallback.ms", 500),
                config.longSetting("peer.watch.election.refusal.poll.ms", 20));
        this.peerWatch = config.boolSetting("peer.watch.enabled", true) ? newPeerWatch(config, lostLeaderElections) : null;
        watchRef[0] = peerWatch;
        long downWindowMs = 2L * RaftHost.electionTimeoutMaxMs(config);
        this.broker = new RatisBroker(config, host, view, writer, limits,
                id -> peerWatch != null && peerWatch.isNewlyDown(id, downWindowMs),
                id -> peerWatch != null && peerWatch.isDown(id), stages);
        this.reconciler = new GroupReconciler(config, host, view, executor);
        this.reporter = new LeaderReporter(config.nodeId(), host, view, writer, executor);
        reporterRef[0] = reporter;
        brokerRef[0] = broker;
        this.offsetsTopic = new OffsetsTopic(config, host, view, broker, executor);
        this.groups = new GroupCoordinatorService(config, host, view, offsetsTopic);
        this.txns = new TransactionCoordinatorService(config, host, view, offsetsTopic, broker::initProducerId);
        this.listener = new KafkaListener(broker, groups, txns, listenerConfig(config, limits), gate);
        this.catchUp = new MetadataCatchUp(writer,
                () -> host.division(GroupIds.METADATA).map(d -> d.getInfo().getLastAppliedIndex()).orElse(-1L),
                this::metadataLeaderKnown, executor, gate, 10, config.longSetting("metadata.catchup.retry.ms", 1000));
    }

    private static PeerWatch newPeerWatch(NodeConfig config, LostLeaderElections elections) {
        java.util.Map<Integer, java.net.InetSocketAddress> peers = new java.util.TreeMap<>();
        for (NodeConfig.Peer p : config.peers()) {
            if (p.id() != config.nodeId()) {
                peers.put(p.id(), java.net.InetSocketAddress.createUnresolved(p.host(), p.raftPort()));
            }
        }
        return new PeerWatch(peers, config.intSetting("peer.watch.probe.interval.ms", 100),
                config.intSetting("peer.watch.connect.timeout.ms", 1_000), elections::peerDown);
    }

    static ListenerConfig listenerConfig(NodeConfig c, Limits limits) {
        int nodes = c.peers().size();
        short rf = (short) c.intSetting("default.replication.factor", Math.min(3, nodes));
        return new ListenerConfig(limits.socketRequestMaxBytes(), limits.messageMaxBytes(),
                c.intSetting("max.in.flight.requests.per.connection", 100),
                c.intSetting("max.connections", 10_000),
                c.intSetting("fetch.max.wait.ms.max", 30_000),
                c.intSetting("request.timeout.ms.max", 30_000),
                c.boolSetting("auto.create.topics.enable", true),
                c.intSetting("num.partitions", 1), rf, c.listenerHost(),
                c.intSetting("num.network.threads", 3),
                c.intSetting("metadata.leader.wait.ms", 500));
    }

    public void start() throws Exception {
        host.start();
        if (peerWatch != null) {
            peerWatch.start();
        }
        executor.scheduleWithFixedDelay(host::quietIdleUpdaters, 0, 1, TimeUnit.SECONDS);
        reconciler.start(config.intSetting("reconcile.interval.ms", 1000));
        reporter.start(config.intSetting("leader.report.interval.ms", 500));
        offsetsTopic.start(config.intSetting("reconcile.interval.ms", 1000));
        groups.start();
        txns.start();
        catchUp.start();
        listener.start(config.listenerHost(), config.kafkaPort());
        if (config.httpPort() >= 0) {
            http = new HttpEndpoints(config.listenerHost(), config.httpPort(), this::healthy, this::metrics);
        }
        LOG.info("node {} serving Kafka on {}:{}, Raft on port {}", config.nodeId(), config.listenerHost(),
                listener.port(), config.raftPort());
    }

    /**
     * Serving: the node's metadata replica has caught up since the node started (its Kafka requests are no longer
     * held) and the metadata group has a leader, so topic changes and metadata answers work.
     */
    public boolean healthy() {
        return gate.isOpen() && metadataLeaderKnown();
    }

    private boolean metadataLeaderKnown() {
        return host.division(GroupIds.METADATA).map(d -> d.getInfo().getLeaderId() != null).orElse(false);
    }

    String metrics() {
        StringBuilder sb = new StringBuilder();
        int hosted = 0;
        int leading = 0;
        for (RaftGroupId gid : host.groupIds()) {
            if (gid.equals(GroupIds.METADATA)) {
                continue;
            }
            hosted++;
            if (host.division(gid).map(RaftServer.Division::getInfo).map(i -> i.isLeader()).orElse(false)) {
                leading++;
            }
        }
        sb.append("# TYPE rlog_partitions_hosted gauge\nrlog_partitions_hosted ").append(hosted).append('\n');
        sb.append("# TYPE rlog_partitions_leading gauge\nrlog_partitions_leading ").append(leading).append('\n');
        sb.append("# TYPE rlog_metadata_applied_index gauge\nrlog_metadata_applied_index ")
                .append(view.current().image().getAppliedIndex()).append('\n');
        sb.append("# TYPE rlog_produce_requests_total counter\nrlog_produce_requests_total ")
                .append(stages.count(StageLatencies.Stage.PRODUCE)).append('\n');
        sb.append("# TYPE rlog_produce_seconds_total counter\nrlog_produce_seconds_total ")
                .append(stages.sumNanos(StageLatencies.Stage.PRODUCE) / 1e9).append('\n');
        stages.appendMetrics(sb);
        Runtime rt = Runtime.getRuntime();
        sb.append("# TYPE rlog_lost_leader_elections_total counter\nrlog_lost_leader_elections_total ")
                .append(lostLeaderElections.started.sum()).append('\n');
        sb.append("# TYPE rlog_jvm_heap_used_bytes gauge\nrlog_jvm_heap_used_bytes ")
                .append(rt.totalMemory() - rt.freeMemory()).append('\n');
        sb.append("# TYPE rlog_healthy gauge\nrlog_healthy ").append(healthy() ? 1 : 0).append('\n');
        // Kafka requests held because the metadata replica has not caught up since the node started (ServingGate).
        sb.append("# TYPE rlog_kafka_requests_held gauge\nrlog_kafka_requests_held ").append(gate.heldCount())
                .append('\n');
        sb.append("# TYPE rlog_corrupt_replicas_set_aside gauge\nrlog_corrupt_replicas_set_aside ")
                .append(CorruptReplicas.count(config.dataDir())).append('\n');
        return sb.toString();
    }

    public int kafkaPort() {
        return listener.port();
    }

    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public RatisBroker broker() {
        return broker;
    }

    public RaftHost raftHost() {
        return host;
    }

    /** Elections this node started at once because their leader's process was gone (LostLeaderElections). */
    public long lostLeaderElectionsStarted() {
        return lostLeaderElections.started.sum();
    }

    public MetadataView metadataView() {
        return view;
    }

    @Override
    public void close() throws Exception {
        if (http != null) {
            http.close();
        }
        if (peerWatch != null) {
            peerWatch.close();
        }
        electionStarter.shutdown(); // not shutdownNow: an interrupt while Ratis saves a new term leaves a stuck candidate
        listener.close();
        txns.close();
        groups.close();
        executor.shutdownNow();
        host.close();
    }

    /** Runs a node until the JVM is told to stop (SIGTERM or SIGINT), then closes it cleanly. */
    public static void run(Path configFile) throws Exception {
        NodeConfig config = NodeConfig.load(configFile);
        RlogServer server = new RlogServer(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("error while stopping: {}", e.toString());
            } finally {
                stopped.countDown();
            }
        }, "rlog-shutdown"));
        server.start();
        stopped.await();
    }

    public static void main(String[] args) throws Exception {
        CommonPool.widen(); // before anything touches CompletableFuture
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.println("usage: RlogServer --config FILE");
            System.exit(2);
        }
        run(Path.of(args[1]));
    }
}
