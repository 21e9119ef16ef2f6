package io.rlog.coordinator;

import io.rlog.broker.ErrorCodes;
import io.rlog.broker.GroupCoordinator;
import io.rlog.coordinator.Placement.Place;
import io.rlog.group.ClassicGroup;
import io.rlog.group.GroupConfig;
import io.rlog.group.GroupErrors;
import io.rlog.group.GroupState;
import io.rlog.group.Messages.GroupDescription;
import io.rlog.group.Messages.JoinReply;
import io.rlog.group.Messages.JoinRequest;
import io.rlog.group.Messages.JoinResult;
import io.rlog.group.Messages.Reply;
import io.rlog.group.Messages.SyncReply;
import io.rlog.group.Messages.SyncRequest;
import io.rlog.group.Messages.SyncResult;
import io.rlog.node.MetadataView;
import io.rlog.node.NodeConfig;
import io.rlog.node.RaftHost;
import io.rlog.proto.CommitOffsets;
import io.rlog.proto.DeleteGroup;
import io.rlog.proto.DeleteOffsets;
import io.rlog.proto.GroupRecord;
import io.rlog.proto.OffsetsCommand;
import io.rlog.proto.StoreGroup;
import io.rlog.proto.TopicPartitionRef;
import io.rlog.proto.TopicRecord;
import io.rlog.proto.TxnOffsets;
import io.rlog.statemachine.offsets.OffsetReader;
import io.rlog.statemachine.offsets.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The group coordinator of one node: it serves the groups whose {@code __consumer_offsets} partition this node
 * leads. Decisions are {@link ClassicGroup}'s; this class routes requests, runs the timers, writes offsets and group
 * records through Raft ({@link OffsetsWriter}) and reads committed offsets from the partition's state machine.
 *
 * <p>Thread: one coordinator thread owns every {@link ClassicGroup} (so a group sees its calls in one order);
 * OffsetFetch reads the replicated state directly. A leadership change of an offsets partition unloads its groups
 * (waiting calls get NOT_COORDINATOR); the new leader starts them Empty at the stored generation, with every
 * committed offset already in its store, and members rejoin.
 */
public final class GroupCoordinatorService implements GroupCoordinator, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorService.class);
    /** The group type of every rlog group in ListGroups v5 (KIP-848 names; rlog serves the classic protocol). */
    public static final String CLASSIC_TYPE = "classic";

    private final int nodeId;
    private final GroupConfig config;
    private final Placement placement;
    private final OffsetsWriter writer;
    private final MetadataView view;
    private final LongSupplier clockMs;
    private final long tickMs;
    private final ScheduledExecutorService executor;
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<Long, CompletableFuture<JoinResult>> pendingJoins = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<SyncResult>> pendingSyncs = new ConcurrentHashMap<>();
    /** The partitions this node has served groups of, by partition. Owned by the coordinator thread. */
    private final Map<Integer, Shard> shards = new HashMap<>();

    /** The groups of one offsets partition under one leadership term. */
    private static final class Shard {
        final Place place;
        final Map<String, ClassicGroup> groups = new HashMap<>();
        /** The newest generation written (or being written) as a GroupRecord, per group. */
        final Map<String, Integer> storedGeneration = new HashMap<>();

        Shard(Place place) {
            this.place = place;
        }
    }

    public GroupCoordinatorService(NodeConfig nodeConfig, RaftHost host, MetadataView view, OffsetsTopic topic) {
        this.nodeId = nodeConfig.nodeId();
        this.config = groupConfig(nodeConfig);
        this.placement = new Placement(host, topic, nodeId);
        this.writer = new OffsetsWriter(host, nodeConfig.intSetting("offsets.commit.timeout.ms", 5_000));
        this.view = view;
        this.clockMs = System::currentTimeMillis;
        this.tickMs = nodeConfig.intSetting("group.coordinator.tick.ms", 100);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rlog-group-coordinator-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    /** The group limits from the node's settings (Kafka's names and defaults where Kafka has them). */
    public static GroupConfig groupConfig(NodeConfig c) {
        GroupConfig d = GroupConfig.defaults();
        return new GroupConfig(
                c.intSetting("group.min.session.timeout.ms", d.sessionTimeoutMsMin()),
                c.intSetting("group.max.session.timeout.ms", d.sessionTimeoutMsMax()),
                c.intSetting("group.initial.rebalance.delay.ms", d.initialRebalanceDelayMs()),
                c.intSetting("group.max.size", d.groupSizeMax()),
                c.intSetting("group.member.metadata.max.bytes", d.memberMetadataBytesMax()),
                c.intSetting("offset.metadata.max.bytes", d.offsetMetadataBytesMax()),
                d.newMemberJoinTimeoutMs());
    }

    public void start() {
        executor.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------------------------------- membership

    @Override
    public CoordinatorOutcome findCoordinator(String groupId) {
        return placement.findCoordinator(groupId);
    }

    @Override
    public CompletableFuture<JoinResult> join(String groupId, JoinRequest request) {
        long id = requestIds.incrementAndGet();
        CompletableFuture<JoinResult> result = new CompletableFuture<>();
        pendingJoins.put(id, result);
        run(() -> {
            Place place = placement.locate(groupId);
            if (!place.ok() || groupId.isEmpty()) {
                short code = place.ok() ? GroupErrors.INVALID_GROUP_ID : place.errorCode();
                completeJoin(id, new JoinResult(code, -1, null, null, "", request.memberId(), List.of()));
                return;
            }
            Shard shard = shard(place);
            ClassicGroup group = group(shard, groupId, true);
            guarded(shard, group, () -> group.join(id, request, clockMs.getAsLong()));
        }, () -> completeJoin(id, new JoinResult(GroupErrors.COORDINATOR_NOT_AVAILABLE, -1, null, null, "",
                request.memberId(), List.of())));
        return result;
    }

    @Override
    public CompletableFuture<SyncResult> sync(String groupId, SyncRequest request) {
        long id = requestIds.incrementAndGet();
        CompletableFuture<SyncResult> result = new CompletableFuture<>();
        pendingSyncs.put(id, result);
        run(() -> {
            Place place = placement.locate(groupId);
            Shard shard = place.ok() ? shard(place) : null;
            ClassicGroup group = shard == null ? null : group(shard, groupId, false);
            if (group == null) {
                short code = place.ok() ? GroupErrors.UNKNOWN_MEMBER_ID : place.errorCode();
                completeSync(id, new SyncResult(code, null, null, new byte[0]));
                return;
            }
            guarded(shard, group, () -> group.sync(id, request, clockMs.getAsLong()));
        }, () -> completeSync(id, new SyncResult(GroupErrors.COORDINATOR_NOT_AVAILABLE, null, null, new byte[0])));
        return result;
    }

    @Override
    public CompletableFuture<Short> heartbeat(String groupId, String memberId, String instanceId, int generation) {
        return call(() -> {
            Place place = placement.locate(groupId);
            Shard shard = place.ok() ? shard(place) : null;
            ClassicGroup group = shard == null ? null : group(shard, groupId, false);
            if (group == null) {
                return place.ok() ? GroupErrors.UNKNOWN_MEMBER_ID : place.errorCode();
            }
            short[] out = {GroupErrors.UNKNOWN_SERVER_ERROR};
            guarded(shard, group, () -> out[0] = group.heartbeat(memberId, instanceId, generation, clockMs.getAsLong()));
            return out[0];
        }, GroupErrors.COORDINATOR_NOT_AVAILABLE);
    }

    @Override
    public CompletableFuture<LeaveOutcome> leave(String groupId, List<LeavingMember> members) {
        return call(() -> {
            Place place = placement.locate(groupId);
            if (!place.ok()) {
                return new LeaveOutcome(place.errorCode(), List.of());
            }
            Shard shard = shard(place);
            ClassicGroup group = group(shard, groupId, false);
            List<Short> errors = new ArrayList<>();
            for (LeavingMember m : members) {
                if (group == null) {
                    errors.add(GroupErrors.UNKNOWN_MEMBER_ID);
                    continue;
                }
                short[] out = {GroupErrors.UNKNOWN_SERVER_ERROR};
                guarded(shard, group, () -> out[0] = group.leave(m.memberId() == null ? "" : m.memberId(),
                        m.instanceId(), m.reason() == null ? "no reason given" : m.reason(), clockMs.getAsLong()));
                errors.add(out[0]);
            }
            return new LeaveOutcome(GroupErrors.NONE, errors);
        }, new LeaveOutcome(GroupErrors.COORDINATOR_NOT_AVAILABLE, List.of()));
    }

    // ------------------------------------------------------------------------------------------- offsets

    @Override
    public CompletableFuture<CommitOutcome> commit(String groupId, String memberId, String instanceId, int generation,
                                                   List<OffsetToCommit> offsets) {
        return commit(groupId, memberId, instanceId, generation, true, offsets,
                (group, committed) -> OffsetsCommand.newBuilder().setCommit(CommitOffsets.newBuilder()
                        .setGroup(group).addAllOffsets(committed)).build());
    }

    @Override
    public CompletableFuture<CommitOutcome> commitTransactional(String groupId, long producerId, short producerEpoch,
                                                                String memberId, String instanceId, int generation,
                                                                boolean checkMember, List<OffsetToCommit> offsets) {
        return commit(groupId, memberId, instanceId, generation, checkMember, offsets,
                (group, committed) -> OffsetsCommand.newBuilder().setTxnOffsets(TxnOffsets.newBuilder()
                        .setGroup(group).setProducerId(producerId).setProducerEpoch(producerEpoch)
                        .addAllOffsets(committed)).build());
    }

    /** Validates a commit and writes the command {@code command} makes of its valid offsets. */
    private CompletableFuture<CommitOutcome> commit(String groupId, String memberId, String instanceId, int generation,
                                                    boolean checkMember, List<OffsetToCommit> offsets,
                                                    java.util.function.BiFunction<String, List<io.rlog.proto.CommittedOffset>,
                                                            OffsetsCommand> command) {
        if (groupId == null || groupId.isEmpty()) {
            return done(allFailed(offsets, GroupErrors.INVALID_GROUP_ID));
        }
        return this.<CompletableFuture<CommitOutcome>>call(() -> {
            Place place = placement.locate(groupId);
            if (!place.ok()) {
                return done(allFailed(offsets, place.errorCode()));
            }
            Shard shard = shard(place);
            ClassicGroup group = group(shard, groupId, false);
            long now = clockMs.getAsLong();
            short[] check = {GroupErrors.NONE};
            if (!checkMember) {
                check[0] = GroupErrors.NONE;
            } else if (group != null) {
                guarded(shard, group, () -> check[0] = group.validateCommit(memberId, instanceId, generation, now));
            } else {
                // Not in memory: Empty (and its stored generation is irrelevant to a generation -1 commit).
                check[0] = new ClassicGroup(groupId, config, () -> "").validateCommit(memberId, instanceId, generation, now);
            }
            if (check[0] != GroupErrors.NONE) {
                return done(allFailed(offsets, check[0]));
            }
            Map<Partition, Short> errors = new LinkedHashMap<>();
            List<io.rlog.proto.CommittedOffset> valid = new ArrayList<>();
            MetadataView.Snapshot snap = view.current();
            for (OffsetToCommit o : offsets) {
                TopicRecord t = snap.byName().get(o.partition().topic());
                if (t == null || o.partition().partition() < 0 || o.partition().partition() >= t.getPartitionsCount()) {
                    errors.put(o.partition(), GroupErrors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (o.metadata() != null && o.metadata().length() > config.offsetMetadataBytesMax()) {
                    errors.put(o.partition(), GroupErrors.OFFSET_METADATA_TOO_LARGE);
                } else if (o.offset() < 0) {
                    errors.put(o.partition(), GroupErrors.INVALID_COMMIT_OFFSET_SIZE);
                } else {
                    errors.put(o.partition(), GroupErrors.NONE);
                    valid.add(io.rlog.proto.CommittedOffset.newBuilder().setTopic(o.partition().topic())
                            .setPartition(o.partition().partition()).setOffset(o.offset())
                            .setLeaderEpoch(o.leaderEpoch()).setMetadata(o.metadata() == null ? "" : o.metadata())
                            .setCommitTimeMs(now).build());
                }
            }
            if (valid.isEmpty()) {
                return done(new CommitOutcome(errors));
            }
            return writer.write(place.gid(), command.apply(groupId, valid)).thenApply(code -> {
                Map<Partition, Short> out = new LinkedHashMap<>();
                errors.forEach((p, e) -> out.put(p, e == GroupErrors.NONE ? code : e));
                return new CommitOutcome(out);
            });
        }, done(allFailed(offsets, GroupErrors.COORDINATOR_NOT_AVAILABLE))).thenCompose(f -> f);
    }

    private static CommitOutcome allFailed(List<OffsetToCommit> offsets, short code) {
        Map<Partition, Short> errors = new LinkedHashMap<>();
        offsets.forEach(o -> errors.put(o.partition(), code));
        return new CommitOutcome(errors);
    }

    @Override
    public CompletableFuture<FetchOutcome> fetchOffsets(String groupId, List<Partition> partitions,
                                                        boolean requireStable) {
        Place place = placement.locate(groupId);
        if (!place.ok()) {
            return done(new FetchOutcome(place.errorCode(), Map.of()));
        }
        OffsetReader stored = place.sm().offsets();
        Map<TopicPartition, io.rlog.proto.CommittedOffset> committed = stored.committed(groupId);
        Map<Partition, CommittedOffset> out = new LinkedHashMap<>();
        if (partitions == null) {
            committed.forEach((tp, o) -> out.put(new Partition(tp.topic(), tp.partition()), committedOffset(o)));
        } else {
            for (Partition p : partitions) {
                io.rlog.proto.CommittedOffset o = committed.get(new TopicPartition(p.topic(), p.partition()));
                out.put(p, o == null ? new CommittedOffset(-1, -1, "", GroupErrors.NONE) : committedOffset(o));
            }
        }
        if (requireStable) {
            out.replaceAll((p, o) -> stored.hasPendingTxnOffsets(groupId, new TopicPartition(p.topic(), p.partition()))
                    ? new CommittedOffset(-1, -1, "", ErrorCodes.UNSTABLE_OFFSET_COMMIT) : o);
        }
        return done(new FetchOutcome(GroupErrors.NONE, out));
    }

    private static CommittedOffset committedOffset(io.rlog.proto.CommittedOffset o) {
        return new CommittedOffset(o.getOffset(), o.getLeaderEpoch(), o.getMetadata(), GroupErrors.NONE);
    }

    // ------------------------------------------------------------------------------------------- admin

    @Override
    public CompletableFuture<List<GroupListing>> listGroups(Set<String> statesFilter, Set<String> typesFilter) {
        return call(() -> {
            List<GroupListing> out = new ArrayList<>();
            if (!typesFilter.isEmpty() && typesFilter.stream().noneMatch(CLASSIC_TYPE::equalsIgnoreCase)) {
                return out;
            }
            for (int p = 0; p < placement.partitionCount(); p++) {
                Place place = placement.locatePartition(p);
                if (!place.ok()) {
                    continue;
                }
                Shard shard = shard(place);
                Map<String, GroupListing> here = new TreeMap<>();
                OffsetReader stored = place.sm().offsets();
                for (String g : stored.groups()) {
                    here.put(g, new GroupListing(g, stored.groupRecord(g).map(GroupRecord::getProtocolType).orElse(""),
                            GroupState.EMPTY.kafkaName()));
                }
                shard.groups.forEach((g, group) -> here.put(g, new GroupListing(g, group.protocolType(),
                        group.state().kafkaName())));
                here.values().stream().filter(l -> statesFilter.isEmpty()
                        || statesFilter.stream().anyMatch(s -> s.equalsIgnoreCase(l.state()))).forEach(out::add);
            }
            return out;
        }, List.of());
    }

    @Override
    public CompletableFuture<DescribeOutcome> describe(String groupId) {
        return call(() -> {
            Place place = placement.locate(groupId);
            if (!place.ok()) {
                return new DescribeOutcome(place.errorCode(), null);
            }
            Shard shard = shard(place);
            ClassicGroup group = group(shard, groupId, false);
            if (group != null) {
                return new DescribeOutcome(GroupErrors.NONE, group.describe());
            }
            OffsetReader stored = place.sm().offsets();
            boolean known = stored.groupRecord(groupId).isPresent() || !stored.committed(groupId).isEmpty();
            String type = stored.groupRecord(groupId).map(GroupRecord::getProtocolType).orElse("");
            return new DescribeOutcome(GroupErrors.NONE, new GroupDescription(groupId,
                    known ? GroupState.EMPTY : GroupState.DEAD, type, "", List.of()));
        }, new DescribeOutcome(GroupErrors.COORDINATOR_NOT_AVAILABLE, null));
    }

    @Override
    public CompletableFuture<Short> deleteGroup(String groupId) {
        return this.<CompletableFuture<Short>>call(() -> {
            Place place = placement.locate(groupId);
            if (!place.ok()) {
                return done(place.errorCode());
            }
            Shard shard = shard(place);
            ClassicGroup group = group(shard, groupId, false);
            if (group != null && group.state() != GroupState.EMPTY) {
                return done(GroupErrors.NON_EMPTY_GROUP);
            }
            OffsetReader stored = place.sm().offsets();
            if (group == null && stored.groupRecord(groupId).isEmpty() && stored.committed(groupId).isEmpty()) {
                return done(GroupErrors.GROUP_ID_NOT_FOUND);
            }
            OffsetsCommand cmd = OffsetsCommand.newBuilder().setDeleteGroup(DeleteGroup.newBuilder().setGroup(groupId)).build();
            return writer.write(place.gid(), cmd).thenApply(code -> {
                if (code == GroupErrors.NONE) {
                    run(() -> forget(shard, groupId), () -> { });
                }
                return code;
            });
        }, done(GroupErrors.COORDINATOR_NOT_AVAILABLE)).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<OffsetDeleteOutcome> deleteOffsets(String groupId, List<Partition> partitions,
                                                                Function<byte[], Set<String>> subscribedTopics) {
        return this.<CompletableFuture<OffsetDeleteOutcome>>call(() -> {
            Place place = placement.locate(groupId);
            if (!place.ok()) {
                return done(new OffsetDeleteOutcome(place.errorCode(), Map.of()));
            }
            Shard shard = shard(place);
            ClassicGroup group = group(shard, groupId, false);
            OffsetReader stored = place.sm().offsets();
            if (group == null && stored.groupRecord(groupId).isEmpty() && stored.committed(groupId).isEmpty()) {
                return done(new OffsetDeleteOutcome(GroupErrors.GROUP_ID_NOT_FOUND, Map.of()));
            }
            Set<String> subscribed = Set.of();
            if (group != null && group.state() != GroupState.EMPTY) {
                if (!"consumer".equals(group.protocolType())) {
                    return done(new OffsetDeleteOutcome(GroupErrors.NON_EMPTY_GROUP, Map.of()));
                }
                Set<String> topics = new java.util.HashSet<>();
                group.memberMetadata().forEach(m -> topics.addAll(subscribedTopics.apply(m)));
                subscribed = topics;
            }
            Map<Partition, Short> errors = new LinkedHashMap<>();
            DeleteOffsets.Builder cmd = DeleteOffsets.newBuilder().setGroup(groupId);
            for (Partition p : partitions) {
                if (subscribed.contains(p.topic())) {
                    errors.put(p, GroupErrors.GROUP_SUBSCRIBED_TO_TOPIC);
                } else {
                    errors.put(p, GroupErrors.NONE);
                    cmd.addPartitions(TopicPartitionRef.newBuilder().setTopic(p.topic()).setPartition(p.partition()));
                }
            }
            if (cmd.getPartitionsCount() == 0) {
                return done(new OffsetDeleteOutcome(GroupErrors.NONE, errors));
            }
            return writer.write(place.gid(), OffsetsCommand.newBuilder().setDeleteOffsets(cmd).build()).thenApply(code -> {
                if (code != GroupErrors.NONE) {
                    return new OffsetDeleteOutcome(code, Map.of());
                }
                return new OffsetDeleteOutcome(GroupErrors.NONE, errors);
            });
        }, done(new OffsetDeleteOutcome(GroupErrors.COORDINATOR_NOT_AVAILABLE, Map.of()))).thenCompose(f -> f);
    }

    // ------------------------------------------------------------------------------------------- internals

    /** The shard of a place, replacing one of an older leadership term (whose groups are unloaded). */
    private Shard shard(Place place) {
        Shard s = shards.get(place.partition());
        if (s != null && s.place.term() == place.term()) {
            return s;
        }
        if (s != null) {
            unload(s, "leadership of " + OffsetsTopic.NAME + "-" + place.partition() + " moved to term " + place.term());
        }
        s = new Shard(place);
        shards.put(place.partition(), s);
        LOG.info("node {} coordinates the groups of {}-{} at term {}", nodeId, OffsetsTopic.NAME, place.partition(),
                place.term());
        return s;
    }

    /** The group in memory; created (at its stored generation) only when {@code create}. */
    private ClassicGroup group(Shard shard, String groupId, boolean create) {
        ClassicGroup g = shard.groups.get(groupId);
        if (g != null || !create) {
            return g;
        }
        ClassicGroup created = new ClassicGroup(groupId, config, () -> UUID.randomUUID().toString());
        shard.place.sm().offsets().groupRecord(groupId).ifPresent(r -> {
            created.restore(r.getGeneration(), r.getProtocolType());
            shard.storedGeneration.put(groupId, r.getGeneration());
        });
        shard.groups.put(groupId, created);
        return created;
    }

    /**
     * Runs one call into a group, then delivers its replies and stores a new generation. A programmer error in one
     * group drops that group (its members rejoin) and leaves every other group served.
     */
    private void guarded(Shard shard, ClassicGroup group, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.error("group {}: unexpected failure; dropping its in-memory state so members rejoin", group.groupId(), e);
            group.drainReplies().forEach(r -> deliver(r, GroupErrors.UNKNOWN_SERVER_ERROR));
            try {
                group.unload(GroupErrors.UNKNOWN_SERVER_ERROR, "unexpected failure");
            } catch (RuntimeException ignored) {
                // already broken: what matters is that it is forgotten
            }
            group.drainReplies().forEach(r -> deliver(r, GroupErrors.UNKNOWN_SERVER_ERROR));
            shard.groups.remove(group.groupId());
            throw e;
        }
        settle(shard, group);
    }

    private void settle(Shard shard, ClassicGroup group) {
        group.drainReplies().forEach(r -> deliver(r, GroupErrors.NONE));
        int stored = shard.storedGeneration.getOrDefault(group.groupId(), 0);
        if (group.generation() > stored && !group.protocolType().isEmpty() && group.state() != GroupState.DEAD) {
            shard.storedGeneration.put(group.groupId(), group.generation());
            GroupRecord record = GroupRecord.newBuilder().setGroup(group.groupId()).setProtocolType(group.protocolType())
                    .setGeneration(group.generation()).setProtocol(group.protocolName() == null ? "" : group.protocolName())
                    .setStoredTimeMs(clockMs.getAsLong()).build();
            writer.write(shard.place.gid(), OffsetsCommand.newBuilder()
                    .setStoreGroup(StoreGroup.newBuilder().setGroup(record)).build()).thenAccept(code -> {
                        if (code != GroupErrors.NONE) {
                            LOG.debug("group {}: storing generation {} failed with {}", group.groupId(),
                                    record.getGeneration(), code);
                        }
                    });
        }
    }

    /** Completes a reply's future; {@code overrideError} non-zero replaces the reply by that error. */
    private void deliver(Reply r, short overrideError) {
        if (r instanceof JoinReply j) {
            JoinResult result = overrideError == GroupErrors.NONE ? j.result()
                    : new JoinResult(overrideError, -1, null, null, "", j.result().memberId(), List.of());
            completeJoin(j.requestId(), result);
        } else if (r instanceof SyncReply s) {
            completeSync(s.requestId(), overrideError == GroupErrors.NONE ? s.result()
                    : new SyncResult(overrideError, null, null, new byte[0]));
        }
    }

    private void completeJoin(long id, JoinResult result) {
        CompletableFuture<JoinResult> f = pendingJoins.remove(id);
        if (f != null) {
            f.complete(result);
        }
    }

    private void completeSync(long id, SyncResult result) {
        CompletableFuture<SyncResult> f = pendingSyncs.remove(id);
        if (f != null) {
            f.complete(result);
        }
    }

    private void forget(Shard shard, String groupId) {
        ClassicGroup g = shard.groups.remove(groupId);
        shard.storedGeneration.remove(groupId);
        if (g != null) {
            g.unload(GroupErrors.COORDINATOR_NOT_AVAILABLE, "group deleted");
            g.drainReplies().forEach(r -> deliver(r, GroupErrors.NONE));
        }
    }

    private void unload(Shard shard, String reason) {
        for (ClassicGroup g : shard.groups.values()) {
            g.unload(GroupErrors.NOT_COORDINATOR, reason);
            g.drainReplies().forEach(r -> deliver(r, GroupErrors.NONE));
        }
        LOG.info("node {} unloaded {} groups of {}-{}: {}", nodeId, shard.groups.size(), OffsetsTopic.NAME,
                shard.place.partition(), reason);
        shard.groups.clear();
    }

    /** Timers of every group; unloads the groups of partitions this node no longer leads. */
    private void tick() {
        try {
            long now = clockMs.getAsLong();
            for (Iterator<Map.Entry<Integer, Shard>> it = shards.entrySet().iterator(); it.hasNext(); ) {
                Shard shard = it.next().getValue();
                Place place = placement.locatePartition(shard.place.partition());
                if (!place.ok() || place.term() != shard.place.term()) {
                    unload(shard, place.ok() ? "a new term began" : place.message());
                    it.remove();
                    continue;
                }
                for (ClassicGroup group : new ArrayList<>(shard.groups.values())) {
                    try {
                        guarded(shard, group, () -> group.tick(now));
                    } catch (RuntimeException e) {
                        continue; // logged and dropped by guarded
                    }
                    if (group.idle() && shard.storedGeneration.getOrDefault(group.groupId(), 0) >= group.generation()) {
                        shard.groups.remove(group.groupId());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("group coordinator tick failed", e);
        }
    }

    private void run(Runnable task, Runnable onRejected) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("group coordinator task failed", e);
                    onRejected.run();
                }
            });
        } catch (RejectedExecutionException e) {
            onRejected.run();
        }
    }

    private <T> CompletableFuture<T> call(Supplier<T> task, T onFailure) {
        CompletableFuture<T> f = new CompletableFuture<>();
        run(() -> f.complete(task.get()), () -> f.complete(onFailure));
        return f;
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        pendingJoins.keySet().forEach(id -> completeJoin(id, new JoinResult(GroupErrors.NOT_COORDINATOR, -1, null,
                null, "", "", List.of())));
        pendingSyncs.keySet().forEach(id -> completeSync(id, new SyncResult(GroupErrors.NOT_COORDINATOR, null, null,
                new byte[0])));
    }
}
