package io.rlog.coordinator;

import io.rlog.broker.Broker;
import io.rlog.broker.ErrorCodes;
import io.rlog.node.GroupIds;
import io.rlog.node.MetadataView;
import io.rlog.node.NodeConfig;
import io.rlog.node.RaftHost;
import io.rlog.proto.TopicRecord;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The internal topic {@code __consumer_offsets}: its partitions are the Raft groups that keep committed offsets, and
 * the leader of partition {@code abs(g.hashCode()) % N} coordinates group {@code g}. The metadata leader creates it
 * once the cluster has formed (idempotent: it acts only while the topic is missing). With
 * {@code offsets.topic.create.eagerly=false} it is created instead on the first FindCoordinator, as Kafka does, so a
 * cluster that never sees a group (a produce benchmark) does not run its N Raft groups.
 */
public final class OffsetsTopic {

    public static final String NAME = "__consumer_offsets";
    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopic.class);

    private final RaftHost host;
    private final MetadataView view;
    private final Broker broker;
    private final ScheduledExecutorService executor;
    private final int partitions;
    private final short replicationFactor;
    private final boolean eager;
    private final AtomicBoolean creating = new AtomicBoolean();

    public OffsetsTopic(NodeConfig config, RaftHost host, MetadataView view, Broker broker,
                        ScheduledExecutorService executor) {
        this.host = host;
        this.view = view;
        this.broker = broker;
        this.executor = executor;
        this.partitions = config.intSetting("offsets.topic.num.partitions", 16);
        this.eager = config.boolSetting("offsets.topic.create.eagerly", true);
        this.replicationFactor = (short) config.intSetting("offsets.topic.replication.factor",
                Math.min(3, config.peers().size()));
        if (partitions <= 0 || replicationFactor <= 0 || replicationFactor > config.peers().size()) {
            throw new IllegalArgumentException("offsets.topic.num.partitions " + partitions
                    + " must be positive and offsets.topic.replication.factor " + replicationFactor
                    + " between 1 and the " + config.peers().size() + " nodes");
        }
    }

    /** Kafka's partitioning of group ids (Utils.abs(groupId.hashCode()) % N), so that tools' expectations hold. */
    public static int partitionFor(String groupId, int partitionCount) {
        int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % partitionCount;
    }

    public void start(long intervalMs) {
        if (eager) {
            view.onChange(this::maybeCreate);
            executor.scheduleWithFixedDelay(this::maybeCreate, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The topic as the local metadata replica knows it, or null while it does not exist. */
    public TopicRecord current() {
        return view.current().byName().get(NAME);
    }

    /** Creates the topic when it is missing and this node leads the metadata group; non-blocking. */
    public void maybeCreate() {
        if (isMetadataLeader()) {
            create();
        }
    }

    /** A group request found no offsets topic: any node may ask (the metadata group refuses a second create). */
    public void createForRequest() {
        create();
    }

    private void create() {
        if (current() != null || !creating.compareAndSet(false, true)) {
            return;
        }
        LOG.info("creating {} with {} partitions, replication factor {}", NAME, partitions, replicationFactor);
        broker.createTopic(new Broker.TopicSpec(NAME, partitions, replicationFactor,
                        Map.of("cleanup.policy", "compact")), false, 30_000)
                .whenComplete((outcome, t) -> {
                    creating.set(false);
                    if (t != null) {
                        LOG.warn("creating {} failed: {}", NAME, t.toString());
                    } else if (outcome.errorCode() != ErrorCodes.NONE
                            && outcome.errorCode() != ErrorCodes.TOPIC_ALREADY_EXISTS) {
                        LOG.warn("creating {} failed: {} {}", NAME, outcome.errorCode(), outcome.message());
                    }
                });
    }

    private boolean isMetadataLeader() {
        return host.division(GroupIds.METADATA).map(RaftServer.Division::getInfo)
                .map(i -> i.isLeader() && i.isLeaderReady()).orElse(false);
    }
}
