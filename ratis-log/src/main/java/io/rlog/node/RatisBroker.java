package io.rlog.node;

import io.rlog.broker.Broker;
import io.rlog.broker.ErrorCodes;
import io.rlog.proto.CreateTopic;
import io.rlog.proto.DeleteTopic;
import io.rlog.proto.MetadataCommand;
import io.rlog.proto.PartitionCommand;
import io.rlog.proto.PartitionRecord;
import io.rlog.proto.ReplicaList;
import io.rlog.proto.TopicRecord;
import io.rlog.statemachine.RatisBytes;
import io.rlog.statemachine.partition.PartitionStateMachine;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientAsynchronousProtocol;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node behind the Kafka listener: topic changes go through the metadata group, produce requests become
 * Raft entries of the partition's group submitted to the local division (no network hop to itself), and reads
 * come straight from the local replica's store up to its high watermark.
 */
public final class RatisBroker implements Broker {

    private static final Logger LOG = LoggerFactory.getLogger(RatisBroker.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final NodeConfig config;
    private final RaftHost host;
    private final MetadataView view;
    private final MetadataWriter writer;
    private final ProducerIdAllocator producerIds;
    private final ProduceCoalescer coalescer;
    private final Limits limits;
    /** raft.leader.ready.wait.ms: the longest a partition's entries wait for its new leader to be ready, per look. */
    private final int leaderReadyWaitMs;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private volatile ClusterView clusterView;
    /** Bumped by every invalidation; a view built while one happened is used once but not cached. */
    private final AtomicLong clusterViewGeneration = new AtomicLong();
    private final AtomicReference<CompletableFuture<Void>> clusterChange =
            new AtomicReference<>(new CompletableFuture<>());
    /** Where produce requests spend their time in this node (for /metrics). */
    private final StageLatencies stages;

    /** Whether a node's process was just found gone (PeerWatch): a leader there is no leader to name. */
    private final java.util.function.IntPredicate nodeDown;
    /** Whether a node's Raft port refuses connections now (PeerWatch), however long since. */
    private final java.util.function.IntPredicate nodeGone;

    RatisBroker(NodeConfig config, RaftHost host, MetadataView view, MetadataWriter writer, Limits limits,
                java.util.function.IntPredicate nodeDown, java.util.function.IntPredicate nodeGone,
                StageLatencies stages) {
        this.config = config;
        this.stages = stages;
        this.nodeDown = nodeDown;
        this.nodeGone = nodeGone;
        this.host = host;
        this.view = view;
        this.writer = writer;
        this.limits = limits;
        this.producerIds = new ProducerIdAllocator(config.nodeId(), writer);
        this.leaderReadyWaitMs = config.intSetting("raft.leader.ready.wait.ms", 2_000);
        int inflightEntriesMax = config.intSetting("produce.inflight.entries.max", 1);
        this.coalescer = new ProduceCoalescer(new ProduceCoalescer.Submitter() {
            @Override
            public CompletableFuture<RaftClientReply> submit(RaftGroupId group, PartitionCommand command)
                    throws IOException {
                return RatisBroker.this.submit(group, command, null);
            }

            @Override
            public CompletableFuture<RaftClientReply> submit(RaftGroupId group, PartitionCommand command,
                                                             CompletableFuture<Message> onAppend) throws IOException {
                return RatisBroker.this.submit(group, command, onAppend);
            }

            @Override
            public CompletableFuture<Void> ready(RaftGroupId group) {
                return leaderReady(group);
            }
        }, inflightEntriesMax,
                // acks=0 and 1: how many of a partition's entries may be in the leader's log uncommitted. More than
                // the in-flight bound lets acks=1 entries follow each other before they commit: lower latency at a
                // fixed rate, but smaller entries and less throughput (docs/design-decisions.md).
                config.intSetting("produce.uncommitted.entries.max", inflightEntriesMax),
                // At most what one request may carry, so that the largest entry fits Ratis's buffers (RaftHost).
                Math.min(config.intSetting("produce.entry.bytes.max", limits.messageMaxBytes()),
                        limits.messageMaxBytes()),
                nanos -> stages.record(StageLatencies.Stage.QUEUE, nanos));
        view.onChange(this::invalidateClusterView);
    }

    @Override
    public int nodeId() {
        return config.nodeId();
    }

    /**
     * The cluster as clients see it, cached: the listener asks on almost every request, and it changes only
     * with a new metadata image or a leader change of a local group ({@link #invalidateClusterView()}). Its
     * leaders may be stale during an election; Metadata answers use {@link #clusterNow()}.
     */
    @Override
    public ClusterView cluster() {
        ClusterView v = clusterView;
        if (v == null) {
            synchronized (this) {
                v = clusterView;
                if (v == null) {
                    long generation = clusterViewGeneration.get();
                    v = buildClusterView();
                    if (clusterViewGeneration.get() == generation) {
                        clusterView = v;
                    }
                }
            }
        }
        return v;
    }

    /** Not cached: Ratis announces a new leader but not the loss of one, so a cached view could name a dead leader. */
    @Override
    public ClusterView clusterNow() {
        return buildClusterView();
    }

    /** Drops the cached view; the next request rebuilds it. Cheap, any thread. */
    void invalidateClusterView() {
        clusterViewGeneration.incrementAndGet();
        clusterView = null;
        clusterChange.getAndSet(new CompletableFuture<>()).complete(null);
    }

    /** Completed and replaced by {@link #invalidateClusterView()}: a new image or a new leader of a local group. */
    @Override
    public CompletableFuture<Void> nextClusterChange() {
        return clusterChange.get();
    }

    private ClusterView buildClusterView() {
        MetadataView.Snapshot snap = view.current();
        List<Node> nodes = config.peers().stream().map(p -> new Node(p.id(), p.host(), p.kafkaPort())).toList();
        Map<String, TopicView> topics = new LinkedHashMap<>();
        for (TopicRecord t : snap.image().getTopicsList()) {
            UUID topicId = GroupIds.uuid(t.getTopicId());
            List<PartitionView> parts = new ArrayList<>(t.getPartitionsCount());
            for (int p = 0; p < t.getPartitionsCount(); p++) {
                PartitionRecord r = t.getPartitions(p);
                int leader = r.getLeader();
                long epoch = r.getLeaderTerm();
                // A replica here learns of a new leader at election time, before that leader's report reaches
                // the metadata group: answering with the newer of the two shortens failover for clients.
                DivisionInfo info = host.division(GroupIds.partition(topicId, p)).map(RaftServer.Division::getInfo)
                        .orElse(null);
                boolean leaderLost = info != null && info.getLeaderId() == null;
                if (info != null && info.getCurrentTerm() >= epoch && leaderLost
                        && info.getLifeCycleState() == LifeCycle.State.RUNNING) {
                    // This replica lost its leader and an election is under way: say so (no leader, no epoch)
                    // rather than name the old leader. A client told the old leader again counts the answer as
                    // "no progress" and doubles its metadata backoff each time (up to a second); an answer
                    // without a leader makes it ask again after its base backoff.
                    leader = -1;
                    epoch = -1;
                } else if (info != null && info.getCurrentTerm() > epoch && !leaderLost) {
                    leader = RaftHost.nodeId(info.getLeaderId());
                    epoch = info.getCurrentTerm();
                }
                if (leader >= 0 && nodeDown.test(leader)) {
                    // The same while Raft has not noticed yet, when the leader's process is known to be gone.
                    leader = -1;
                    epoch = -1;
                }
                parts.add(new PartitionView(p, leader, (int) Math.min(Integer.MAX_VALUE, epoch),
                        r.getReplicasList(), r.getReplicasList()));
            }
            topics.put(t.getName(), new TopicView(t.getName(), topicId, t.getName().startsWith("__"), parts));
        }
        int controller = host.division(GroupIds.METADATA).map(d -> RaftHost.nodeId(d.getInfo().getLeaderId()))
                .filter(id -> id >= 0).orElse(config.nodeId());
        return new ClusterView(config.setting("cluster.id", "rlog-" + GroupIds.METADATA.getUuid()), controller, nodes, topics);
    }

    @Override
    public CompletableFuture<TopicOutcome> createTopic(TopicSpec spec, boolean validateOnly, int timeoutMs) {
        int nodes = config.peers().size();
        if (spec.partitions() <= 0 || spec.partitions() > limits.partitionsPerTopicMax()) {
            return done(topicError(ErrorCodes.INVALID_PARTITIONS, "partitions must be between 1 and "
                    + limits.partitionsPerTopicMax() + ", not " + spec.partitions()));
        }
        if (spec.replicationFactor() <= 0 || spec.replicationFactor() > nodes) {
            return done(topicError(ErrorCodes.INVALID_REPLICATION_FACTOR, "replication factor "
                    + spec.replicationFactor() + " must be between 1 and the " + nodes + " nodes of the cluster"));
        }
        if (view.current().byName().containsKey(spec.name())) {
            return done(topicError(ErrorCodes.TOPIC_ALREADY_EXISTS, "topic " + spec.name() + " already exists"));
        }
        UUID id = UUID.randomUUID();
        if (validateOnly) {
            return done(new TopicOutcome(ErrorCodes.NONE, null, id, spec.partitions(), spec.replicationFactor()));
        }
        CreateTopic.Builder c = CreateTopic.newBuilder().setName(spec.name()).setTopicId(GroupIds.bytes(id))
                .putAllConfigs(spec.configs()).setCreatedMs(System.currentTimeMillis());
        int start = Math.floorMod(spec.name().hashCode(), nodes);
        for (int p = 0; p < spec.partitions(); p++) {
            ReplicaList.Builder r = ReplicaList.newBuilder();
            for (int i = 0; i < spec.replicationFactor(); i++) {
                r.addNodeIds(config.peers().get((start + p + i) % nodes).id());
            }
            c.addAssignments(r);
        }
        return writer.write(MetadataCommand.newBuilder().setCreateTopic(c).build()).thenCompose(reply -> {
            if (reply.getErrorCode() != 0) {
                return done(topicError((short) reply.getErrorCode(), reply.getErrorMessage()));
            }
            TopicOutcome ok = new TopicOutcome(ErrorCodes.NONE, null, id, spec.partitions(), spec.replicationFactor());
            // Answer once every partition has a leader, so that the client's first produce finds one; a topic
            // whose leaders are slow to appear still exists, so the wait ends in success either way.
            return view.await(s -> allLeadersKnown(s, spec.name(), id, nodeGone))
                    .orTimeout(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS)
                    .handle((s, t) -> ok);
        }).exceptionally(t -> topicError(ErrorCodes.REQUEST_TIMED_OUT, "metadata write failed: " + rootMessage(t)));
    }

    /**
     * Every partition is led by its first replica, or by another when the first one's node is down. The first
     * replica has the highest Ratis priority, so a leader elected before it caught up hands over to it soon
     * after; answering only once that happened keeps that handover out of the client's first writes. A first
     * replica on a node that is down cannot lead: waiting for it kept a topic created during a node's outage
     * unanswered until the request's timeout (30 s from kafka-clients' Admin).
     */
    static boolean allLeadersKnown(MetadataView.Snapshot s, String name, UUID id, java.util.function.IntPredicate gone) {
        TopicRecord t = s.byName().get(name);
        return t != null && GroupIds.uuid(t.getTopicId()).equals(id)
                && t.getPartitionsList().stream().allMatch(p -> p.getLeader() == p.getReplicas(0)
                        || (p.getLeader() >= 0 && gone.test(p.getReplicas(0))));
    }

    @Override
    public CompletableFuture<TopicOutcome> createPartitions(String topic, int totalCount, boolean validateOnly,
                                                            int timeoutMs) {
        return new PartitionGrowth(config, view, writer, limits).grow(topic, totalCount, validateOnly, timeoutMs);
    }

    @Override
    public CompletableFuture<TopicOutcome> deleteTopic(String name, int timeoutMs) {
        TopicRecord t = view.current().byName().get(name);
        if (t == null) {
            return done(topicError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, "no topic " + name));
        }
        return writer.write(MetadataCommand.newBuilder().setDeleteTopic(DeleteTopic.newBuilder().setName(name)).build())
                .thenApply(reply -> reply.getErrorCode() != 0
                        ? topicError((short) reply.getErrorCode(), reply.getErrorMessage())
                        : new TopicOutcome(ErrorCodes.NONE, null, GroupIds.uuid(t.getTopicId()), t.getPartitionsCount(),
                        (short) t.getPartitions(0).getReplicasCount()))
                .exceptionally(e -> topicError(ErrorCodes.REQUEST_TIMED_OUT, "metadata write failed: " + rootMessage(e)));
    }

    @Override
    public CompletableFuture<ProduceOutcome> produce(String topic, int partition, ByteBuffer batches, short acks,
                                                     int timeoutMs) {
        Local local = local(topic, partition);
        if (local.error != ErrorCodes.NONE) {
            return done(new ProduceOutcome(local.error, local.message, -1, -1, -1));
        }
        if (!local.info.isLeader()) {
            return done(new ProduceOutcome(ErrorCodes.NOT_LEADER_OR_FOLLOWER, "node " + config.nodeId()
                    + " does not lead " + topic + "-" + partition, -1, -1, -1));
        }
        long startNanos = System.nanoTime();
        // acks=0 and 1 are answered once the entry is in the leader's log (DESIGN, the write path, step 5).
        return coalescer.append(local.gid, batches.duplicate(), acks != -1)
                .orTimeout(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS).handle((a, t) -> {
                    stages.record(StageLatencies.Stage.PRODUCE, System.nanoTime() - startNanos);
                    return t != null ? produceFailure(t) : new ProduceOutcome((short) a.getErrorCode(),
                            a.getErrorMessage().isEmpty() ? null : a.getErrorMessage(), a.getBaseOffset(), -1,
                            a.getLogStartOffset());
                });
    }

    /**
     * The coalescer's gate (ProduceCoalescer.Submitter#ready). A leader just elected refuses writes until it has
     * applied its first entry of the term; its entries wait for that, in order, instead of sending the clients
     * into a metadata refresh and a retry backoff for the leader they already found. The wait ends at the next
     * leadership event or after {@code raft.leader.ready.wait.ms}; whatever the state then, the next entry is
     * proposed (Ratis refuses it if this node still cannot take it).
     */
    private CompletableFuture<Void> leaderReady(RaftGroupId gid) {
        Optional<PartitionStateMachine> sm = host.partition(gid);
        Optional<RaftServer.Division> division = host.division(gid);
        if (sm.isEmpty() || division.isEmpty()) {
            return done(null);
        }
        CompletableFuture<Void> event = sm.get().nextLeadershipEvent(); // before the look: no change slips between
        DivisionInfo info = division.get().getInfo();
        if (!info.isLeader() || info.isLeaderReady()) {
            return done(null);
        }
        // A copy: the event is shared by every waiter of this partition, and the timeout must end only this wait.
        return event.copy().completeOnTimeout(null, leaderReadyWaitMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Proposes one partition entry on this node's division of the group. Straight to the division rather than
     * through {@code RaftServer.submitClientRequestAsync}, which hands every request to a client thread pool and
     * then waits for that thread: two thread switches per entry that buy nothing here.
     */
    private CompletableFuture<RaftClientReply> submit(RaftGroupId gid, PartitionCommand cmd,
                                                      CompletableFuture<Message> onAppend) throws IOException {
        long callId = callIds.incrementAndGet();
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId)
                .setServerId(host.server().getId()).setGroupId(gid).setCallId(callId)
                .setMessage(Message.valueOf(RatisBytes.of(cmd)))
                .setType(RaftClientRequest.writeRequestType()).build();
        Optional<PartitionStateMachine> sm = onAppend == null ? Optional.empty() : host.partition(gid);
        sm.ifPresent(m -> m.replyOnAppend(clientId, callId, onAppend));
        Optional<RaftServer.Division> division = host.division(gid);
        long submitNanos = System.nanoTime();
        CompletableFuture<RaftClientReply> reply;
        try {
            if (division.isPresent() && division.get() instanceof RaftClientAsynchronousProtocol direct) {
                reply = direct.submitClientRequestAsync(request);
            } else {
                reply = host.server().submitClientRequestAsync(request);
            }
        } catch (IOException | RuntimeException e) {
            sm.ifPresent(m -> m.forgetReplyOnAppend(clientId, callId));
            throw e;
        }
        reply = reply.whenComplete((r, t) -> stages.record(StageLatencies.Stage.RAFT, System.nanoTime() - submitNanos));
        if (sm.isPresent()) {
            // A call refused before it reached the state machine leaves its ask behind.
            reply = reply.whenComplete((r, t) -> sm.get().forgetReplyOnAppend(clientId, callId));
        }
        return reply;
    }

    /** Maps a Ratis failure to the Kafka error a client retries correctly. */
    private static ProduceOutcome produceFailure(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        short code;
        if (c instanceof NotLeaderException || c instanceof LeaderNotReadyException
                || c instanceof org.apache.ratis.protocol.exceptions.AlreadyClosedException
                || c instanceof org.apache.ratis.protocol.exceptions.GroupMismatchException) {
            code = ErrorCodes.NOT_LEADER_OR_FOLLOWER;
        } else if (c instanceof TimeoutException || c instanceof org.apache.ratis.protocol.exceptions.TimeoutIOException) {
            code = ErrorCodes.REQUEST_TIMED_OUT;
        } else if (c instanceof StateMachineException) {
            code = ErrorCodes.KAFKA_STORAGE_ERROR;
        } else {
            code = ErrorCodes.NOT_LEADER_OR_FOLLOWER;
        }
        return new ProduceOutcome(code, c == null ? null : c.getClass().getSimpleName() + ": " + c.getMessage(), -1, -1, -1);
    }

    @Override
    public CompletableFuture<ProducerIdOutcome> initProducerId() {
        return producerIds.allocate().handle((pid, t) -> t != null
                ? new ProducerIdOutcome(ErrorCodes.REQUEST_TIMED_OUT, -1, (short) -1)
                : new ProducerIdOutcome(ErrorCodes.NONE, pid, (short) 0));
    }

    @Override
    public ReadOutcome read(String topic, int partition, long fetchOffset, int maxBytes, boolean leaderOnly) {
        return read(topic, partition, fetchOffset, maxBytes, leaderOnly, false);
    }

    @Override
    public ReadOutcome read(String topic, int partition, long fetchOffset, int maxBytes, boolean leaderOnly,
                            boolean readCommitted) {
        Local local = local(topic, partition);
        if (local.error != ErrorCodes.NONE) {
            return new ReadOutcome(local.error, -1, -1, EMPTY);
        }
        // A leader is ready once it has applied every entry committed before its term, so its high
        // watermark is at least any earlier leader's: a consumer never sees it move backwards.
        if (leaderOnly && !(local.info.isLeader() && local.info.isLeaderReady())) {
            return new ReadOutcome(ErrorCodes.NOT_LEADER_OR_FOLLOWER, -1, -1, EMPTY);
        }
        PartitionStateMachine.ReadResult r = local.sm.read(fetchOffset, maxBytes, readCommitted);
        List<AbortedTransaction> aborted = r.abortedTransactions().isEmpty() ? List.of()
                : r.abortedTransactions().stream().map(a -> new AbortedTransaction(a.producerId(), a.firstOffset()))
                        .toList();
        return new ReadOutcome(r.errorCode(), r.highWatermark(), r.logStartOffset(), r.records(), r.lastStableOffset(),
                aborted);
    }

    @Override
    public CompletableFuture<Void> nextAppend(String topic, int partition) {
        Local local = local(topic, partition);
        return local.sm == null ? CompletableFuture.completedFuture(null) : local.sm.nextAppend();
    }

    @Override
    public OffsetOutcome listOffset(String topic, int partition, long timestamp) {
        return listOffset(topic, partition, timestamp, false);
    }

    @Override
    public OffsetOutcome listOffset(String topic, int partition, long timestamp, boolean readCommitted) {
        Local local = local(topic, partition);
        if (local.error != ErrorCodes.NONE) {
            return new OffsetOutcome(local.error, -1, -1, -1);
        }
        if (!(local.info.isLeader() && local.info.isLeaderReady())) {
            return new OffsetOutcome(ErrorCodes.NOT_LEADER_OR_FOLLOWER, -1, -1, -1);
        }
        int epoch = (int) Math.min(Integer.MAX_VALUE, local.info.getCurrentTerm());
        PartitionStateMachine sm = local.sm;
        if (timestamp == -2) {
            return new OffsetOutcome(ErrorCodes.NONE, sm.logStartOffset(), -1, epoch);
        }
        if (timestamp == -1) {
            return new OffsetOutcome(ErrorCodes.NONE, readCommitted ? sm.lastStableOffset() : sm.highWatermark(), -1,
                    epoch);
        }
        if (timestamp == -3) {
            long[] max = sm.maxTimestampAndOffset();
            return new OffsetOutcome(ErrorCodes.NONE, max[1], max[0], epoch);
        }
        long offset = sm.offsetForTimestamp(timestamp);
        return offset < 0 ? new OffsetOutcome(ErrorCodes.NONE, -1, -1, epoch)
                : new OffsetOutcome(ErrorCodes.NONE, offset, timestamp, epoch);
    }

    @Override
    public Map<String, String> topicConfigs(String topic) {
        TopicRecord t = view.current().byName().get(topic);
        if (t == null) {
            return null;
        }
        Map<String, String> configs = new HashMap<>();
        int rf = t.getPartitionsCount() == 0 ? 1 : t.getPartitions(0).getReplicasCount();
        configs.put("cleanup.policy", "delete");
        configs.put("compression.type", "producer");
        configs.put("message.timestamp.type", "CreateTime");
        configs.put("max.message.bytes", String.valueOf(limits.messageMaxBytes()));
        // A Raft quorum is a majority of the replicas: what Kafka calls min.insync.replicas.
        configs.put("min.insync.replicas", String.valueOf(rf / 2 + 1));
        configs.put("retention.ms", "-1");
        configs.putAll(t.getConfigsMap());
        return configs;
    }

    // ------------------------------------------------------------------------------------------------------

    /** The local replica of a partition, or why there is none. */
    private record Local(short error, String message, RaftGroupId gid, PartitionStateMachine sm, DivisionInfo info) {}

    private Local local(String topic, int partition) {
        TopicRecord t = view.current().byName().get(topic);
        if (t == null || partition < 0 || partition >= t.getPartitionsCount()) {
            return new Local(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, "unknown partition " + topic + "-" + partition,
                    null, null, null);
        }
        RaftGroupId gid = GroupIds.partition(GroupIds.uuid(t.getTopicId()), partition);
        Optional<PartitionStateMachine> sm = host.partition(gid);
        Optional<RaftServer.Division> division = host.division(gid);
        if (sm.isEmpty() || division.isEmpty()) {
            return new Local(ErrorCodes.NOT_LEADER_OR_FOLLOWER, "node " + config.nodeId() + " holds no replica of "
                    + topic + "-" + partition, gid, null, null);
        }
        return new Local(ErrorCodes.NONE, null, gid, sm.get(), division.get().getInfo());
    }

    private static TopicOutcome topicError(short code, String message) {
        return new TopicOutcome(code, message, null, -1, (short) -1);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }

    /** Whether this node leads the metadata group (for /health and metrics). */
    boolean metadataHasLeader() {
        return host.division(GroupIds.METADATA).map(d -> d.getInfo().getLeaderId()).map(RaftPeerId::toString).isPresent();
    }
}
