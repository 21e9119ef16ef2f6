package io.rlog.group;

import io.rlog.group.Messages.GroupDescription;
import io.rlog.group.Messages.JoinReply;
import io.rlog.group.Messages.JoinRequest;
import io.rlog.group.Messages.JoinResult;
import io.rlog.group.Messages.JoinedMember;
import io.rlog.group.Messages.MemberDescription;
import io.rlog.group.Messages.Reply;
import io.rlog.group.Messages.SyncReply;
import io.rlog.group.Messages.SyncRequest;
import io.rlog.group.Messages.SyncResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

import static io.rlog.group.GroupErrors.COORDINATOR_NOT_AVAILABLE;
import static io.rlog.group.GroupErrors.FENCED_INSTANCE_ID;
import static io.rlog.group.GroupErrors.GROUP_MAX_SIZE_REACHED;
import static io.rlog.group.GroupErrors.ILLEGAL_GENERATION;
import static io.rlog.group.GroupErrors.INCONSISTENT_GROUP_PROTOCOL;
import static io.rlog.group.GroupErrors.INVALID_SESSION_TIMEOUT;
import static io.rlog.group.GroupErrors.MEMBER_ID_REQUIRED;
import static io.rlog.group.GroupErrors.MESSAGE_TOO_LARGE;
import static io.rlog.group.GroupErrors.NONE;
import static io.rlog.group.GroupErrors.REBALANCE_IN_PROGRESS;
import static io.rlog.group.GroupErrors.UNKNOWN_MEMBER_ID;
import static io.rlog.group.GroupState.COMPLETING_REBALANCE;
import static io.rlog.group.GroupState.DEAD;
import static io.rlog.group.GroupState.EMPTY;
import static io.rlog.group.GroupState.PREPARING_REBALANCE;
import static io.rlog.group.GroupState.STABLE;

/**
 * One consumer group under Kafka's classic protocol (KIP-62 rebalance timeouts, KIP-345 static membership, KIP-394
 * MEMBER_ID_REQUIRED), as a pure state machine: every call takes the time, no call does I/O or reads a clock.
 * Replies to JoinGroup and SyncGroup may come long after the call (when the phase ends), so each such call carries
 * a request id and its reply is queued; the caller takes the queue with {@link #drainReplies()} after each call.
 *
 * <p>States ({@link GroupState} holds the table of legal moves; only {@link #transitionTo} changes the state):
 * <ul>
 *   <li>Empty: no members (offsets may exist). A join moves it to PreparingRebalance, and the first ("initial")
 *       join phase waits {@link GroupConfig#initialRebalanceDelayMs()}, longer while members keep arriving.</li>
 *   <li>PreparingRebalance: members (re)join. The phase ends when every member has joined (not for the initial
 *       phase) or at the rebalance timeout, when dynamic members that did not rejoin are removed. The generation
 *       grows; the leader gets every member's metadata.</li>
 *   <li>CompletingRebalance: waiting for the leader's SyncGroup with the assignment.</li>
 *   <li>Stable: every member has its assignment; members heartbeat. A join with new metadata, a leave or an
 *       expired session starts a new rebalance.</li>
 *   <li>Dead: unloaded (the node no longer coordinates it) or deleted; every waiting call gets an error.</li>
 * </ul>
 *
 * <p>Fencing: requests name a generation; any but the current one is ILLEGAL_GENERATION, so a member that missed a
 * rebalance cannot commit or keep its old assignment. A static member (group.instance.id) that joins again with
 * no member id replaces its old member id, which is then FENCED_INSTANCE_ID.
 *
 * <p>Thread: not thread-safe; the coordinator calls one group from one thread at a time.
 */
public final class ClassicGroup {

    private static final Logger LOG = LoggerFactory.getLogger(ClassicGroup.class);
    private static final byte[] NO_BYTES = new byte[0];

    private final String groupId;
    private final GroupConfig config;
    private final Supplier<String> uniqueIds;
    /** In join order: the first joined member becomes leader when the leader leaves. */
    private final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
    /** group.instance.id → member id. Invariant: every value is a key of {@link #members}. */
    private final Map<String, String> staticMembers = new HashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED, each with the time it expires unless the member joins. */
    private final Map<String, Long> pendingMembers = new LinkedHashMap<>();
    /** Members that have not sent SyncGroup in this generation. */
    private final Set<String> pendingSync = new HashSet<>();
    private final List<Reply> replies = new ArrayList<>();
    private GroupState state = EMPTY;
    private GroupState previousState = EMPTY;
    private int generation;
    /** Set by the first member; kept while Empty (DescribeGroups still reports it). */
    private String protocolType;
    /** The protocol of the current generation; null while Empty. */
    private String protocolName;
    /** Invariant: null, or a key of {@link #members}. */
    private String leaderId;
    /** PreparingRebalance (not initial): the join phase ends at this time, whoever has joined. */
    private long joinDeadlineMs = -1;
    /** Initial join phase: it ends at this time unless new members keep arriving. */
    private long initialDelayUntilMs = -1;
    private long initialRemainingMs;
    private boolean newMemberAdded;
    /** CompletingRebalance or Stable: members that have not synced by then are removed. */
    private long syncDeadlineMs = -1;

    /** {@code uniqueIds}: a fresh unique string per call, for member ids (a UUID in production, a counter in tests). */
    public ClassicGroup(String groupId, GroupConfig config, Supplier<String> uniqueIds) {
        this.groupId = Objects.requireNonNull(groupId);
        this.config = config;
        this.uniqueIds = uniqueIds;
    }

    /** Resumes from a stored record after a coordinator change: generations keep growing; members rejoin. */
    public void restore(int storedGeneration, String storedProtocolType) {
        if (state != EMPTY || !members.isEmpty()) {
            throw new IllegalStateException("restore of group " + groupId + " in state " + state);
        }
        generation = Math.max(generation, storedGeneration);
        if (storedProtocolType != null && !storedProtocolType.isEmpty()) {
            protocolType = storedProtocolType;
        }
    }

    // ------------------------------------------------------------------------------------------------ JoinGroup

    public void join(long requestId, JoinRequest req, long nowMs) {
        short invalid = validateJoin(req);
        if (invalid != NONE) {
            reply(new JoinReply(requestId, JoinResult.error(invalid, req.memberId())));
        } else if (req.memberId().isEmpty()) {
            joinNewMember(requestId, req, nowMs);
        } else {
            joinKnownMember(requestId, req, nowMs);
        }
        advance(nowMs);
    }

    private short validateJoin(JoinRequest req) {
        if (state == DEAD) {
            return COORDINATOR_NOT_AVAILABLE;
        }
        if (req.sessionTimeoutMs() < config.sessionTimeoutMsMin() || req.sessionTimeoutMs() > config.sessionTimeoutMsMax()) {
            return INVALID_SESSION_TIMEOUT;
        }
        long metadataBytes = req.protocols().stream().mapToLong(p -> p.metadata().length + p.name().length()).sum();
        if (metadataBytes > config.memberMetadataBytesMax()) {
            LOG.warn("group {}: refused a join from {} ({}): its protocol metadata of {} bytes exceeds "
                    + "group.member.metadata.max.bytes {}", groupId, req.clientId(), req.clientHost(), metadataBytes,
                    config.memberMetadataBytesMax());
            return MESSAGE_TOO_LARGE;
        }
        Set<String> names = new LinkedHashSet<>();
        req.protocols().forEach(p -> names.add(p.name()));
        if (!supportsProtocols(req.protocolType(), names)) {
            return INCONSISTENT_GROUP_PROTOCOL;
        }
        boolean known = members.containsKey(req.memberId())
                || (req.instanceId() != null && staticMembers.containsKey(req.instanceId()));
        if (!known && members.size() + pendingMembers.size() >= config.groupSizeMax()
                && !pendingMembers.containsKey(req.memberId())) {
            return GROUP_MAX_SIZE_REACHED;
        }
        if (!known && pendingMembers.containsKey(req.memberId()) && members.size() >= config.groupSizeMax()) {
            return GROUP_MAX_SIZE_REACHED;
        }
        return NONE;
    }

    /** Kafka's rule: an empty group takes any non-empty type; otherwise the type must match and one protocol be common. */
    private boolean supportsProtocols(String type, Set<String> names) {
        if (state == EMPTY) {
            return !type.isEmpty() && !names.isEmpty();
        }
        return type.equals(protocolType) && names.stream().anyMatch(candidateProtocols()::contains);
    }

    private void joinNewMember(long requestId, JoinRequest req, long nowMs) {
        String prefix = req.instanceId() != null ? req.instanceId() : req.clientId();
        String newId = prefix + "-" + uniqueIds.get();
        if (req.instanceId() != null) {
            String existing = staticMembers.get(req.instanceId());
            if (existing != null) {
                replaceStaticMember(requestId, req, existing, newId, nowMs);
            } else {
                addMember(requestId, req, newId, nowMs);
            }
        } else if (req.requireKnownMemberId()) {
            // KIP-394: the member must come back with this id, so that a retried join does not add a second one.
            pendingMembers.put(newId, nowMs + req.sessionTimeoutMs());
            reply(new JoinReply(requestId, JoinResult.error(MEMBER_ID_REQUIRED, newId)));
        } else {
            addMember(requestId, req, newId, nowMs);
        }
    }

    private void joinKnownMember(long requestId, JoinRequest req, long nowMs) {
        String id = req.memberId();
        if (req.instanceId() == null && pendingMembers.remove(id) != null) {
            addMember(requestId, req, id, nowMs);
            return;
        }
        short invalid = validateMember(id, req.instanceId());
        if (invalid != NONE) {
            reply(new JoinReply(requestId, JoinResult.error(invalid, id)));
            return;
        }
        Member m = members.get(id);
        switch (state) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(m, requestId, req, nowMs);
            case COMPLETING_REBALANCE -> {
                if (m.protocols.equals(req.protocols())) {
                    // A repeated join (its response was lost): the same answer again.
                    reply(new JoinReply(requestId, currentGenerationResult(m, id.equals(leaderId))));
                } else {
                    updateMemberAndRebalance(m, requestId, req, nowMs);
                }
            }
            case STABLE -> {
                if (id.equals(leaderId) || !m.protocols.equals(req.protocols())) {
                    // The leader rejoins to have its new metadata seen (e.g. a topic grew); so does a member whose
                    // subscription changed.
                    updateMemberAndRebalance(m, requestId, req, nowMs);
                } else {
                    reply(new JoinReply(requestId, currentGenerationResult(m, false)));
                }
            }
            case EMPTY, DEAD -> reply(new JoinReply(requestId, JoinResult.error(UNKNOWN_MEMBER_ID, id)));
        }
    }

    private void addMember(long requestId, JoinRequest req, String memberId, long nowMs) {
        Member m = new Member(memberId, req);
        m.isNew = true;
        m.joinRequestId = requestId;
        // A new member cannot heartbeat while it waits in its first join; it is dropped if that wait is too long.
        m.heartbeatDeadlineMs = nowMs + config.newMemberJoinTimeoutMs();
        if (members.isEmpty()) {
            protocolType = req.protocolType();
        }
        members.put(memberId, m);
        if (m.isStatic()) {
            staticMembers.put(m.instanceId, memberId);
        }
        if (leaderId == null) {
            leaderId = memberId;
        }
        if (state == PREPARING_REBALANCE && previousState == EMPTY) {
            newMemberAdded = true;
        }
        maybePrepareRebalanceOrCompleteJoin(nowMs, "adding member " + memberId + describeReason(req));
    }

    private void updateMemberAndRebalance(Member m, long requestId, JoinRequest req, long nowMs) {
        if (m.awaitingJoin()) {
            // A second join while the first still waits: the client gave up on the first one.
            reply(new JoinReply(m.joinRequestId, JoinResult.error(REBALANCE_IN_PROGRESS, m.memberId)));
        }
        m.protocols = req.protocols();
        m.sessionTimeoutMs = req.sessionTimeoutMs();
        m.rebalanceTimeoutMs = req.rebalanceTimeoutMs();
        m.joinRequestId = requestId;
        m.heartbeatDeadlineMs = nowMs + m.sessionTimeoutMs;
        maybePrepareRebalanceOrCompleteJoin(nowMs, "member " + m.memberId + " rejoined" + describeReason(req));
    }

    /** KIP-345: a static member's new incarnation takes over its old member id's place (and assignment). */
    private void replaceStaticMember(long requestId, JoinRequest req, String oldId, String newId, long nowMs) {
        Member m = members.remove(oldId);
        if (m.awaitingJoin()) {
            reply(new JoinReply(m.joinRequestId, JoinResult.error(FENCED_INSTANCE_ID, oldId)));
        }
        if (m.awaitingSync()) {
            reply(new SyncReply(m.syncRequestId, SyncResult.error(FENCED_INSTANCE_ID)));
            m.syncRequestId = Member.NONE;
        }
        m.memberId = newId;
        members.put(newId, m);
        staticMembers.put(m.instanceId, newId);
        if (pendingSync.remove(oldId)) {
            pendingSync.add(newId);
        }
        String currentLeader = leaderId;
        if (oldId.equals(leaderId)) {
            leaderId = newId;
        }
        m.protocols = req.protocols();
        m.sessionTimeoutMs = req.sessionTimeoutMs();
        m.rebalanceTimeoutMs = req.rebalanceTimeoutMs();
        m.joinRequestId = requestId;
        m.heartbeatDeadlineMs = nowMs + m.sessionTimeoutMs;
        LOG.info("group {}: static member {} is now {} (was {})", groupId, m.instanceId, newId, oldId);
        switch (state) {
            case STABLE -> {
                if (Objects.equals(protocolName, selectProtocol())) {
                    // No rebalance: it keeps its assignment. The old leader id is returned so that the new
                    // incarnation does not act as leader of a generation it did not assign (Kafka does the same).
                    m.joinRequestId = Member.NONE;
                    reply(new JoinReply(requestId, new JoinResult(NONE, generation, protocolType, protocolName,
                            currentLeader, newId, List.of())));
                } else {
                    prepareRebalance(nowMs, "static member " + m.instanceId + " rejoined with other protocols");
                }
            }
            case COMPLETING_REBALANCE -> prepareRebalance(nowMs, "static member " + m.instanceId
                    + " rejoined while the leader may be assigning its old member id");
            case PREPARING_REBALANCE -> maybeCompleteJoin(nowMs);
            case EMPTY, DEAD -> throw new IllegalStateException("group " + groupId + " in state " + state
                    + " has static member " + m.instanceId);
        }
    }

    private JoinResult currentGenerationResult(Member m, boolean withMembers) {
        return new JoinResult(NONE, generation, protocolType, protocolName, leaderId, m.memberId,
                withMembers ? joinedMembers() : List.of());
    }

    private List<JoinedMember> joinedMembers() {
        List<JoinedMember> list = new ArrayList<>();
        for (Member m : members.values()) {
            list.add(new JoinedMember(m.memberId, m.instanceId, m.metadata(protocolName)));
        }
        return list;
    }

    // ------------------------------------------------------------------------------------------------ SyncGroup

    public void sync(long requestId, SyncRequest req, long nowMs) {
        short error = state == DEAD ? COORDINATOR_NOT_AVAILABLE : validateMember(req.memberId(), req.instanceId());
        if (error == NONE && req.generation() != generation) {
            error = ILLEGAL_GENERATION;
        }
        if (error == NONE && ((req.protocolType() != null && !req.protocolType().equals(protocolType))
                || (req.protocolName() != null && !req.protocolName().equals(protocolName)))) {
            error = INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error == NONE && state == PREPARING_REBALANCE) {
            error = REBALANCE_IN_PROGRESS;
        }
        if (error != NONE) {
            reply(new SyncReply(requestId, SyncResult.error(error)));
            advance(nowMs);
            return;
        }
        Member m = members.get(req.memberId());
        m.heartbeatDeadlineMs = nowMs + m.sessionTimeoutMs;
        pendingSync.remove(m.memberId);
        if (state == STABLE) {
            reply(new SyncReply(requestId, new SyncResult(NONE, protocolType, protocolName, m.assignment)));
        } else {
            m.syncRequestId = requestId;
            if (m.memberId.equals(leaderId)) {
                for (Member each : members.values()) {
                    each.assignment = req.assignments().getOrDefault(each.memberId, NO_BYTES);
                }
                transitionTo(STABLE, "the leader " + leaderId + " sent the assignment of generation " + generation);
                for (Member each : members.values()) {
                    if (each.awaitingSync()) {
                        reply(new SyncReply(each.syncRequestId,
                                new SyncResult(NONE, protocolType, protocolName, each.assignment)));
                        each.syncRequestId = Member.NONE;
                    }
                }
            }
        }
        advance(nowMs);
    }

    // ------------------------------------------------------------------------------------ Heartbeat, leave, commit

    public short heartbeat(String memberId, String instanceId, int memberGeneration, long nowMs) {
        short error = state == DEAD ? COORDINATOR_NOT_AVAILABLE : validateMember(memberId, instanceId);
        if (error == NONE && memberGeneration != generation) {
            error = ILLEGAL_GENERATION;
        }
        if (error == NONE) {
            Member m = members.get(memberId);
            m.heartbeatDeadlineMs = nowMs + m.sessionTimeoutMs;
            // A member that heartbeats during the join phase must rejoin; it learns so here.
            error = state == PREPARING_REBALANCE ? REBALANCE_IN_PROGRESS : NONE;
        }
        advance(nowMs);
        return error;
    }

    /** One member of a LeaveGroup; {@code memberId} may be empty when {@code instanceId} names the member. */
    public short leave(String memberId, String instanceId, String reason, long nowMs) {
        short error;
        if (state == DEAD) {
            error = COORDINATOR_NOT_AVAILABLE;
        } else if (instanceId != null) {
            String registered = staticMembers.get(instanceId);
            if (registered == null) {
                error = UNKNOWN_MEMBER_ID;
            } else if (!memberId.isEmpty() && !memberId.equals(registered)) {
                error = FENCED_INSTANCE_ID;
            } else {
                removeMember(members.get(registered), nowMs, "static member " + instanceId + " left (" + reason + ")");
                error = NONE;
            }
        } else if (pendingMembers.remove(memberId) != null) {
            maybeCompleteJoin(nowMs);
            error = NONE;
        } else if (!members.containsKey(memberId)) {
            error = UNKNOWN_MEMBER_ID;
        } else {
            removeMember(members.get(memberId), nowMs, "member " + memberId + " left (" + reason + ")");
            error = NONE;
        }
        advance(nowMs);
        return error;
    }

    /**
     * Whether an OffsetCommit may be applied (Kafka's rules): from a member of the current generation, or, with
     * generation -1 and no member, only while the group is Empty (an admin reset or a consumer without group
     * management). A valid commit counts as a heartbeat.
     */
    public short validateCommit(String memberId, String instanceId, int memberGeneration, long nowMs) {
        if (state == DEAD) {
            return COORDINATOR_NOT_AVAILABLE;
        }
        if (memberGeneration < 0 && state == EMPTY) {
            return NONE;
        }
        memberId = memberId == null ? "" : memberId;
        if (memberGeneration >= 0 || !memberId.isEmpty() || instanceId != null) {
            short invalid = validateMember(memberId, instanceId);
            if (invalid != NONE) {
                return invalid;
            }
            if (memberGeneration != generation) {
                return ILLEGAL_GENERATION;
            }
            Member m = members.get(memberId);
            m.heartbeatDeadlineMs = Math.max(m.heartbeatDeadlineMs, nowMs + m.sessionTimeoutMs);
        } else if (state != EMPTY) {
            return UNKNOWN_MEMBER_ID;
        }
        // The member has the new generation's JoinGroup answer but the assignment is not out yet.
        return state == COMPLETING_REBALANCE ? REBALANCE_IN_PROGRESS : NONE;
    }

    private short validateMember(String memberId, String instanceId) {
        if (instanceId != null) {
            String registered = staticMembers.get(instanceId);
            if (registered == null) {
                return UNKNOWN_MEMBER_ID;
            }
            if (!registered.equals(memberId)) {
                return FENCED_INSTANCE_ID;
            }
        }
        return members.containsKey(memberId) ? NONE : UNKNOWN_MEMBER_ID;
    }

    // ------------------------------------------------------------------------------------------------ timers

    /** Runs whatever is due at {@code nowMs}: expired sessions and pending ids, the end of a join or sync phase. */
    public void tick(long nowMs) {
        advance(nowMs);
    }

    private void advance(long nowMs) {
        if (state == DEAD) {
            return;
        }
        List<String> expiredPending = new ArrayList<>();
        pendingMembers.forEach((id, expiry) -> {
            if (nowMs >= expiry) {
                expiredPending.add(id);
            }
        });
        if (!expiredPending.isEmpty()) {
            expiredPending.forEach(pendingMembers::remove);
            LOG.info("group {}: pending members {} did not join within their session timeout", groupId, expiredPending);
            maybeCompleteJoin(nowMs);
        }
        for (Member m : new ArrayList<>(members.values())) {
            if (members.get(m.memberId) == m && nowMs >= m.heartbeatDeadlineMs && !m.heartbeatSatisfied()) {
                removeMember(m, nowMs, "member " + m.memberId + " failed: no heartbeat within its session timeout of "
                        + m.sessionTimeoutMs + " ms");
            }
        }
        if (state == PREPARING_REBALANCE) {
            if (initialDelayUntilMs >= 0 && nowMs >= initialDelayUntilMs) {
                if (newMemberAdded && initialRemainingMs > 0) {
                    newMemberAdded = false;
                    long delay = Math.min(config.initialRebalanceDelayMs(), initialRemainingMs);
                    initialRemainingMs = Math.max(initialRemainingMs - config.initialRebalanceDelayMs(), 0);
                    initialDelayUntilMs = nowMs + delay;
                } else {
                    completeJoin(nowMs);
                }
            } else if (joinDeadlineMs >= 0 && nowMs >= joinDeadlineMs) {
                completeJoin(nowMs);
            }
        }
        if ((state == COMPLETING_REBALANCE || state == STABLE) && syncDeadlineMs >= 0 && nowMs >= syncDeadlineMs) {
            syncDeadlineMs = -1;
            if (!pendingSync.isEmpty()) {
                List<String> late = new ArrayList<>(pendingSync);
                late.forEach(id -> removeSilently(members.get(id)));
                prepareRebalance(nowMs, "members " + late + " sent no SyncGroup within the rebalance timeout");
            }
        }
    }

    /** The earliest time at which {@link #tick} has something to do, or Long.MAX_VALUE. */
    public long nextDeadlineMs() {
        long next = Long.MAX_VALUE;
        for (long expiry : pendingMembers.values()) {
            next = Math.min(next, expiry);
        }
        for (Member m : members.values()) {
            if (!m.heartbeatSatisfied()) {
                next = Math.min(next, m.heartbeatDeadlineMs);
            }
        }
        for (long t : new long[] {joinDeadlineMs, initialDelayUntilMs, syncDeadlineMs}) {
            if (t >= 0) {
                next = Math.min(next, t);
            }
        }
        return next;
    }

    // ------------------------------------------------------------------------------------------------ phases

    private void maybePrepareRebalanceOrCompleteJoin(long nowMs, String reason) {
        if (state == STABLE || state == COMPLETING_REBALANCE || state == EMPTY) {
            prepareRebalance(nowMs, reason);
        } else if (state == PREPARING_REBALANCE) {
            maybeCompleteJoin(nowMs);
        }
    }

    private void prepareRebalance(long nowMs, String reason) {
        if (state == COMPLETING_REBALANCE) {
            // Members waiting for an assignment that will not come: they rejoin.
            for (Member m : members.values()) {
                m.assignment = NO_BYTES;
                if (m.awaitingSync()) {
                    reply(new SyncReply(m.syncRequestId, SyncResult.error(REBALANCE_IN_PROGRESS)));
                    m.syncRequestId = Member.NONE;
                }
            }
        }
        pendingSync.clear();
        syncDeadlineMs = -1;
        boolean initial = state == EMPTY;
        transitionTo(PREPARING_REBALANCE, reason);
        if (initial) {
            initialDelayUntilMs = nowMs + config.initialRebalanceDelayMs();
            initialRemainingMs = Math.max(rebalanceTimeoutMs() - config.initialRebalanceDelayMs(), 0);
            newMemberAdded = false;
            joinDeadlineMs = -1;
        } else {
            initialDelayUntilMs = -1;
            joinDeadlineMs = nowMs + rebalanceTimeoutMs();
            maybeCompleteJoin(nowMs);
        }
    }

    /** The join phase ends early once every member has joined, except the initial one, which ends on its timer. */
    private void maybeCompleteJoin(long nowMs) {
        if (state != PREPARING_REBALANCE || previousState == EMPTY) {
            return;
        }
        boolean allJoined = pendingMembers.isEmpty() && members.values().stream().allMatch(Member::awaitingJoin);
        if (allJoined) {
            completeJoin(nowMs);
        }
    }

    private void completeJoin(long nowMs) {
        joinDeadlineMs = -1;
        initialDelayUntilMs = -1;
        List<String> dropped = new ArrayList<>();
        for (Member m : new ArrayList<>(members.values())) {
            if (!m.awaitingJoin() && !m.isStatic()) {
                dropped.add(m.memberId);
                removeSilently(m);
            }
        }
        if (!dropped.isEmpty()) {
            LOG.info("group {}: removed members that did not rejoin in time: {}", groupId, dropped);
        }
        if (!members.isEmpty() && !electJoinedLeader()) {
            // Only static members that have not rejoined remain: wait another rebalance timeout for them.
            joinDeadlineMs = nowMs + rebalanceTimeoutMs();
            LOG.info("group {}: no member rejoined; waiting {} ms more", groupId, rebalanceTimeoutMs());
            return;
        }
        generation++;
        if (members.isEmpty()) {
            protocolName = null;
            leaderId = null;
            transitionTo(EMPTY, "generation " + generation + " has no members");
            return;
        }
        protocolName = selectProtocol();
        transitionTo(COMPLETING_REBALANCE, "generation " + generation + " formed with " + members.size()
                + " members, protocol " + protocolName + ", leader " + leaderId);
        for (Member m : members.values()) {
            if (m.awaitingJoin()) {
                reply(new JoinReply(m.joinRequestId, currentGenerationResult(m, m.memberId.equals(leaderId))));
                m.joinRequestId = Member.NONE;
            }
            m.isNew = false;
            m.heartbeatDeadlineMs = nowMs + m.sessionTimeoutMs;
            pendingSync.add(m.memberId);
        }
        syncDeadlineMs = nowMs + rebalanceTimeoutMs();
    }

    /** Keeps a leader that rejoined, else elects the first member that did; false when none did. */
    private boolean electJoinedLeader() {
        if (leaderId != null && members.get(leaderId).awaitingJoin()) {
            return true;
        }
        for (Member m : members.values()) {
            if (m.awaitingJoin()) {
                LOG.info("group {}: leader {} did not rejoin; {} leads", groupId, leaderId, m.memberId);
                leaderId = m.memberId;
                return true;
            }
        }
        return false;
    }

    private void removeMember(Member m, long nowMs, String reason) {
        removeSilently(m);
        LOG.info("group {}: {}", groupId, reason);
        switch (state) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(nowMs, reason);
            case PREPARING_REBALANCE -> maybeCompleteJoin(nowMs);
            case EMPTY, DEAD -> { }
        }
    }

    /** Removes a member without reacting; its waiting calls get UNKNOWN_MEMBER_ID. */
    private void removeSilently(Member m) {
        if (m.awaitingJoin()) {
            reply(new JoinReply(m.joinRequestId, JoinResult.error(UNKNOWN_MEMBER_ID, m.memberId)));
            m.joinRequestId = Member.NONE;
        }
        if (m.awaitingSync()) {
            reply(new SyncReply(m.syncRequestId, SyncResult.error(UNKNOWN_MEMBER_ID)));
            m.syncRequestId = Member.NONE;
        }
        members.remove(m.memberId);
        if (m.isStatic() && m.memberId.equals(staticMembers.get(m.instanceId))) {
            staticMembers.remove(m.instanceId);
        }
        pendingSync.remove(m.memberId);
        if (m.memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    /** Stops coordinating: every waiting call gets {@code errorCode} (NOT_COORDINATOR after a leader change). */
    public void unload(short errorCode, String reason) {
        for (Member m : members.values()) {
            if (m.awaitingJoin()) {
                reply(new JoinReply(m.joinRequestId, JoinResult.error(errorCode, m.memberId)));
                m.joinRequestId = Member.NONE;
            }
            if (m.awaitingSync()) {
                reply(new SyncReply(m.syncRequestId, SyncResult.error(errorCode)));
                m.syncRequestId = Member.NONE;
            }
        }
        if (state != DEAD) {
            transitionTo(DEAD, reason);
        }
    }

    private void transitionTo(GroupState next, String reason) {
        if (!next.validPrevious().contains(state)) {
            throw new IllegalStateException("group " + groupId + " cannot move from " + state.kafkaName() + " to "
                    + next.kafkaName());
        }
        LOG.info("group {}: {} -> {} at generation {} ({})", groupId, state.kafkaName(), next.kafkaName(),
                generation, reason);
        previousState = state;
        state = next;
    }

    // ------------------------------------------------------------------------------------------------ protocols

    /** The longest rebalance timeout among the members (Kafka's group rebalance timeout). */
    private int rebalanceTimeoutMs() {
        return members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
    }

    /** Protocols every member supports. */
    private Set<String> candidateProtocols() {
        Set<String> candidates = null;
        for (Member m : members.values()) {
            if (candidates == null) {
                candidates = new LinkedHashSet<>(m.protocols.stream().map(Protocol::name).toList());
            } else {
                candidates.retainAll(m.protocolNames());
            }
        }
        return candidates == null ? Set.of() : candidates;
    }

    /** Each member votes for its preferred candidate; the most votes win, ties to the earliest in the first list. */
    private String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        candidates.forEach(c -> votes.put(c, 0));
        members.values().forEach(m -> votes.merge(m.vote(candidates), 1, Integer::sum));
        String best = null;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (best == null || e.getValue() > votes.get(best)) {
                best = e.getKey();
            }
        }
        return best;
    }

    // ------------------------------------------------------------------------------------------------ reads

    private void reply(Reply r) {
        replies.add(r);
    }

    /** The replies queued since the last drain, in the order they were decided. */
    public List<Reply> drainReplies() {
        if (replies.isEmpty()) {
            return List.of();
        }
        List<Reply> out = List.copyOf(replies);
        replies.clear();
        return out;
    }

    public String groupId() {
        return groupId;
    }

    public GroupState state() {
        return state;
    }

    public int generation() {
        return generation;
    }

    /** The protocol type ("consumer" for consumers), or "" before any member joined. */
    public String protocolType() {
        return protocolType == null ? "" : protocolType;
    }

    /** The current generation's protocol, or null. */
    public String protocolName() {
        return protocolName;
    }

    public String leaderId() {
        return leaderId;
    }

    public int memberCount() {
        return members.size();
    }

    /** Empty with nothing pending: the coordinator may drop it from memory (it is rebuilt from the store). */
    public boolean idle() {
        return state == EMPTY && pendingMembers.isEmpty();
    }

    /** Each member's assignment of the current generation (empty arrays until the leader's SyncGroup). */
    public Map<String, byte[]> assignments() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        members.values().forEach(m -> out.put(m.memberId, m.assignment));
        return Collections.unmodifiableMap(out);
    }

    /** Each member's metadata for the current protocol (or its first one): what it subscribed to. */
    public List<byte[]> memberMetadata() {
        List<byte[]> out = new ArrayList<>();
        for (Member m : members.values()) {
            out.add(protocolName != null ? m.metadata(protocolName)
                    : m.protocols.isEmpty() ? NO_BYTES : m.protocols.get(0).metadata());
        }
        return out;
    }

    /** DescribeGroups: metadata and assignments only while Stable, the protocol only then too (as Kafka). */
    public GroupDescription describe() {
        boolean stable = state == STABLE;
        List<MemberDescription> list = new ArrayList<>();
        for (Member m : members.values()) {
            list.add(new MemberDescription(m.memberId, m.instanceId, m.clientId, m.clientHost,
                    stable ? m.metadata(protocolName) : NO_BYTES, stable ? m.assignment : NO_BYTES));
        }
        return new GroupDescription(groupId, state, protocolType(), stable ? protocolName : "", list);
    }

    private static String describeReason(JoinRequest req) {
        return req.reason() == null || req.reason().isEmpty() ? "" : " (client reason: " + req.reason() + ")";
    }
}
