package io.rlog.kafka;

import io.rlog.group.GroupErrors;
import io.rlog.node.InJvmCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The group APIs on the wire against a real 3-node cluster: every advertised version answers something parseable,
 * and bad input gets Kafka's error codes while the coordinator keeps serving other groups.
 */
class GroupWireTest {

    @TempDir
    static Path dir;
    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, Map.of("group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "3", "group.member.metadata.max.bytes", "1024"));
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic("wire", 2, (short) 3))).all().get();
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The Kafka port of the coordinator of {@code group}, found with FindCoordinator (retried until it has one). */
    static int coordinatorPort(String group) throws Exception {
        try (WireClient any = new WireClient(cluster.node(1).kafkaPort())) {
            FindCoordinatorResponseData[] last = new FindCoordinatorResponseData[1];
            io.rlog.node.InJvmCluster.await("a coordinator for " + group, 60_000, () -> {
                try {
                    last[0] = any.call(ApiKeys.FIND_COORDINATOR, (short) 3,
                            new FindCoordinatorRequestData().setKey(group).setKeyType((byte) 0));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return last[0].errorCode() == GroupErrors.NONE;
            });
            return last[0].port();
        }
    }

    static WireClient coordinator(String group) throws Exception {
        return new WireClient(coordinatorPort(group));
    }

    static int coordinatorNode(String group) throws Exception {
        int port = coordinatorPort(group);
        for (int id = 1; id <= cluster.size(); id++) {
            if (cluster.node(id).kafkaPort() == port) {
                return id;
            }
        }
        throw new AssertionError("coordinator port unknown");
    }

    static JoinGroupRequestData join(String group, String memberId, String instanceId, String type, byte[] metadata,
                                     String... protocols) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection c = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        for (String p : protocols) {
            c.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(p).setMetadata(metadata));
        }
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setProtocolType(type).setProtocols(c).setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000);
    }

    /** Joins as a new member at {@code version}, answering MEMBER_ID_REQUIRED (v4+) with the given id. */
    static JoinGroupResponseData joinNew(WireClient c, short version, String group, String instanceId) throws Exception {
        JoinGroupResponseData r = c.call(ApiKeys.JOIN_GROUP, version,
                join(group, "", instanceId, "consumer", new byte[] {1}, "range"));
        if (r.errorCode() == GroupErrors.MEMBER_ID_REQUIRED) {
            assertTrue(version >= 4 && instanceId == null, "MEMBER_ID_REQUIRED only from v4 for dynamic members");
            r = c.call(ApiKeys.JOIN_GROUP, version, join(group, r.memberId(), null, "consumer", new byte[] {1}, "range"));
        }
        return r;
    }

    static OffsetCommitRequestData commit(String group, int generation, String memberId, String topic, long offset) {
        return new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(generation)
                .setMemberId(memberId).setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setName(topic).setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(offset).setCommittedMetadata("m")))));
    }

    static short commitError(OffsetCommitResponseData r) {
        return r.topics().get(0).partitions().get(0).errorCode();
    }

    /** A full member life at each JoinGroup version, with the other group APIs at a version of the same era. */
    @Test
    void everyVersionOfTheMemberApisAnswers() throws Exception {
        for (short v = 0; v <= 9; v++) {
            String group = "life-v" + v;
            try (WireClient c = coordinator(group)) {
                JoinGroupResponseData joined = joinNew(c, v, group, null);
                assertEquals(GroupErrors.NONE, joined.errorCode(), "join v" + v);
                assertEquals(joined.memberId(), joined.leader(), "the only member leads");
                assertEquals(1, joined.members().size());
                short syncV = (short) Math.min(v, 5);
                SyncGroupResponseData synced = c.call(ApiKeys.SYNC_GROUP, syncV, new SyncGroupRequestData()
                        .setGroupId(group).setGenerationId(joined.generationId()).setMemberId(joined.memberId())
                        .setProtocolType(syncV >= 5 ? "consumer" : null).setProtocolName(syncV >= 5 ? "range" : null)
                        .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment()
                                .setMemberId(joined.memberId()).setAssignment(new byte[] {7}))));
                assertEquals(GroupErrors.NONE, synced.errorCode(), "sync v" + syncV);
                assertEquals(7, synced.assignment()[0]);
                HeartbeatResponseData beat = c.call(ApiKeys.HEARTBEAT, (short) Math.min(v, 4), new HeartbeatRequestData()
                        .setGroupId(group).setGenerationId(joined.generationId()).setMemberId(joined.memberId()));
                assertEquals(GroupErrors.NONE, beat.errorCode(), "heartbeat");
                short commitV = (short) Math.max(2, v);
                OffsetCommitResponseData committed = c.call(ApiKeys.OFFSET_COMMIT, commitV,
                        commit(group, joined.generationId(), joined.memberId(), "wire", 5 + v));
                assertEquals(GroupErrors.NONE, commitError(committed), "commit v" + commitV);
                short fetchV = (short) Math.max(2, v);
                long fetched;
                if (fetchV < 8) {
                    OffsetFetchResponseData f = c.call(ApiKeys.OFFSET_FETCH, fetchV, new OffsetFetchRequestData()
                            .setGroupId(group).setTopics(null));
                    assertEquals(GroupErrors.NONE, f.errorCode());
                    fetched = f.topics().get(0).partitions().get(0).committedOffset();
                } else {
                    OffsetFetchResponseData f = c.call(ApiKeys.OFFSET_FETCH, fetchV, new OffsetFetchRequestData()
                            .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group)
                                    .setMemberEpoch(-1).setTopics(null))));
                    assertEquals(GroupErrors.NONE, f.groups().get(0).errorCode());
                    fetched = f.groups().get(0).topics().get(0).partitions().get(0).committedOffset();
                }
                assertEquals(5 + v, fetched, "fetch v" + fetchV);
                short leaveV = (short) Math.min(v, 5);
                LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
                if (leaveV < 3) {
                    leave.setMemberId(joined.memberId());
                } else {
                    leave.setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(joined.memberId())));
                }
                LeaveGroupResponseData left = c.call(ApiKeys.LEAVE_GROUP, leaveV, leave);
                assertEquals(GroupErrors.NONE, left.errorCode(), "leave v" + leaveV);
                if (leaveV >= 3) {
                    assertEquals(GroupErrors.NONE, left.members().get(0).errorCode());
                }
            }
        }
    }

    @Test
    void everyVersionOfTheAdminApisAnswers() throws Exception {
        String group = "admin-apis";
        try (WireClient c = coordinator(group)) {
            assertEquals(GroupErrors.NONE, commitError(c.call(ApiKeys.OFFSET_COMMIT, (short) 2,
                    commit(group, -1, "", "wire", 3))));
            for (short v = 0; v <= 6; v++) {
                FindCoordinatorRequestData req = new FindCoordinatorRequestData().setKeyType((byte) 0);
                if (v < 4) {
                    req.setKey(group);
                } else {
                    req.setCoordinatorKeys(List.of(group, "another"));
                }
                FindCoordinatorResponseData r = c.call(ApiKeys.FIND_COORDINATOR, v, req);
                short code = v < 4 ? r.errorCode() : r.coordinators().get(0).errorCode();
                assertEquals(GroupErrors.NONE, code, "FindCoordinator v" + v);
                if (v >= 4) {
                    assertEquals(2, r.coordinators().size());
                }
            }
            for (short v = 0; v <= 5; v++) {
                ListGroupsResponseData r = c.call(ApiKeys.LIST_GROUPS, v, new ListGroupsRequestData());
                assertEquals(GroupErrors.NONE, r.errorCode());
                assertTrue(r.groups().stream().anyMatch(g -> g.groupId().equals(group)), "ListGroups v" + v);
                DescribeGroupsResponseData d = c.call(ApiKeys.DESCRIBE_GROUPS, v,
                        new DescribeGroupsRequestData().setGroups(List.of(group)));
                assertEquals(GroupErrors.NONE, d.groups().get(0).errorCode());
                assertEquals("Empty", d.groups().get(0).groupState(), "DescribeGroups v" + v);
                try (WireClient unknown = coordinator("no-such-group")) {
                    DescribeGroupsResponseData dead = unknown.call(ApiKeys.DESCRIBE_GROUPS, v,
                            new DescribeGroupsRequestData().setGroups(List.of("no-such-group")));
                    assertEquals(GroupErrors.NONE, dead.groups().get(0).errorCode());
                    assertEquals("Dead", dead.groups().get(0).groupState(), "an unknown group is Dead");
                    assertTrue(dead.groups().get(0).members().isEmpty());
                }
            }
            OffsetDeleteResponseData od = c.call(ApiKeys.OFFSET_DELETE, (short) 0, new OffsetDeleteRequestData()
                    .setGroupId(group).setTopics(new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection(List.of(
                            new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("wire").setPartitions(List.of(
                                    new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))))
                            .iterator())));
            assertEquals(GroupErrors.NONE, od.errorCode());
            for (short v = 0; v <= 2; v++) {
                String g = "deleted-v" + v;
                try (WireClient gc = coordinator(g)) {
                    assertEquals(GroupErrors.NONE, commitError(gc.call(ApiKeys.OFFSET_COMMIT, (short) 8,
                            commit(g, -1, "", "wire", 1))));
                    DeleteGroupsResponseData r = gc.call(ApiKeys.DELETE_GROUPS, v,
                            new DeleteGroupsRequestData().setGroupsNames(List.of(g)));
                    assertEquals(GroupErrors.NONE, r.results().find(g).errorCode(), "DeleteGroups v" + v);
                    r = gc.call(ApiKeys.DELETE_GROUPS, v, new DeleteGroupsRequestData().setGroupsNames(List.of(g)));
                    assertEquals(GroupErrors.GROUP_ID_NOT_FOUND, r.results().find(g).errorCode());
                }
            }
            for (short v = 0; v <= 3; v++) {
                CreatePartitionsResponseData r = c.call(ApiKeys.CREATE_PARTITIONS, v, new CreatePartitionsRequestData()
                        .setTimeoutMs(30_000).setTopics(new CreatePartitionsRequestData.CreatePartitionsTopicCollection(
                                List.of(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("wire")
                                        .setCount(3 + v).setAssignments(null)).iterator())));
                assertEquals(GroupErrors.NONE, r.results().get(0).errorCode(), "CreatePartitions v" + v + ": "
                        + r.results().get(0).errorMessage());
            }
        }
    }

    @Test
    void badInputGetsKafkasErrorsAndOtherGroupsKeepWorking() throws Exception {
        String group = "bad";
        try (WireClient c = coordinator(group)) {
            JoinGroupResponseData joined = joinNew(c, (short) 9, group, null);
            assertEquals(GroupErrors.NONE, joined.errorCode());
            SyncGroupResponseData synced = c.call(ApiKeys.SYNC_GROUP, (short) 5, new SyncGroupRequestData()
                    .setGroupId(group).setGenerationId(joined.generationId()).setMemberId(joined.memberId())
                    .setAssignments(List.of()));
            assertEquals(GroupErrors.NONE, synced.errorCode());
            // A different protocol type, or no protocol in common with the group: refused.
            assertEquals(GroupErrors.INCONSISTENT_GROUP_PROTOCOL, c.<JoinGroupResponseData>call(ApiKeys.JOIN_GROUP,
                    (short) 9, join(group, "", null, "connect", new byte[0], "range")).errorCode());
            assertEquals(GroupErrors.INCONSISTENT_GROUP_PROTOCOL, c.<JoinGroupResponseData>call(ApiKeys.JOIN_GROUP,
                    (short) 9, join(group, "", null, "consumer", new byte[0], "roundrobin")).errorCode());
            assertEquals(GroupErrors.INCONSISTENT_GROUP_PROTOCOL, c.<JoinGroupResponseData>call(ApiKeys.JOIN_GROUP,
                    (short) 9, join("empty-protocols", "", null, "consumer", new byte[0])).errorCode());
            // Member metadata over group.member.metadata.max.bytes (1024 here).
            assertEquals(GroupErrors.MESSAGE_TOO_LARGE, c.<JoinGroupResponseData>call(ApiKeys.JOIN_GROUP,
                    (short) 9, join(group, "", null, "consumer", new byte[4096], "range")).errorCode());
            JoinGroupRequestData badTimeout = join(group, "", null, "consumer", new byte[0], "range").setSessionTimeoutMs(10);
            assertEquals(GroupErrors.INVALID_SESSION_TIMEOUT,
                    c.<JoinGroupResponseData>call(ApiKeys.JOIN_GROUP, (short) 9, badTimeout).errorCode());
            // Fencing: a stale generation, an unknown member, an unknown topic.
            assertEquals(GroupErrors.ILLEGAL_GENERATION, commitError(c.call(ApiKeys.OFFSET_COMMIT, (short) 8,
                    commit(group, joined.generationId() - 1, joined.memberId(), "wire", 1))));
            assertEquals(GroupErrors.UNKNOWN_MEMBER_ID, commitError(c.call(ApiKeys.OFFSET_COMMIT, (short) 8,
                    commit(group, joined.generationId(), "stranger", "wire", 1))));
            assertEquals(GroupErrors.UNKNOWN_MEMBER_ID, commitError(c.call(ApiKeys.OFFSET_COMMIT, (short) 8,
                    commit(group, -1, "", "wire", 1))), "an admin commit while the group has members");
            assertEquals(GroupErrors.UNKNOWN_TOPIC_OR_PARTITION, commitError(c.call(ApiKeys.OFFSET_COMMIT, (short) 8,
                    commit(group, joined.generationId(), joined.memberId(), "no-such-topic", 1))));
            assertEquals(GroupErrors.UNKNOWN_MEMBER_ID, c.<HeartbeatResponseData>call(ApiKeys.HEARTBEAT, (short) 4,
                    new HeartbeatRequestData().setGroupId(group).setGenerationId(joined.generationId())
                            .setMemberId("stranger")).errorCode());
            assertEquals(GroupErrors.ILLEGAL_GENERATION, c.<HeartbeatResponseData>call(ApiKeys.HEARTBEAT, (short) 4,
                    new HeartbeatRequestData().setGroupId(group).setGenerationId(joined.generationId() + 1)
                            .setMemberId(joined.memberId())).errorCode());
            // The group and the coordinator are unharmed.
            assertEquals(GroupErrors.NONE, c.<HeartbeatResponseData>call(ApiKeys.HEARTBEAT, (short) 4,
                    new HeartbeatRequestData().setGroupId(group).setGenerationId(joined.generationId())
                            .setMemberId(joined.memberId())).errorCode());
            assertEquals(GroupErrors.NONE, commitError(c.call(ApiKeys.OFFSET_COMMIT, (short) 8,
                    commit(group, joined.generationId(), joined.memberId(), "wire", 1))));
        }
        try (WireClient other = coordinator("bad-neighbour")) {
            assertEquals(GroupErrors.NONE, joinNew(other, (short) 9, "bad-neighbour", null).errorCode());
        }
    }

    @Test
    void aWrongNodeAnswersNotCoordinator() throws Exception {
        String group = "elsewhere";
        int coordinator = coordinatorNode(group);
        int other = coordinator % cluster.size() + 1;
        try (WireClient c = new WireClient(cluster.node(other).kafkaPort())) {
            assertEquals(GroupErrors.NOT_COORDINATOR, c.<JoinGroupResponseData>call(ApiKeys.JOIN_GROUP, (short) 9,
                    join(group, "", null, "consumer", new byte[0], "range")).errorCode());
            assertEquals(GroupErrors.NOT_COORDINATOR, commitError(c.call(ApiKeys.OFFSET_COMMIT, (short) 8,
                    commit(group, -1, "", "wire", 1))));
            OffsetFetchResponseData f = c.call(ApiKeys.OFFSET_FETCH, (short) 7,
                    new OffsetFetchRequestData().setGroupId(group).setTopics(null));
            assertEquals(GroupErrors.NOT_COORDINATOR, f.errorCode());
        }
    }

    @Test
    void aStaticMembersNewIncarnationFencesTheOldOne() throws Exception {
        String group = "static";
        try (WireClient c = coordinator(group)) {
            JoinGroupResponseData first = joinNew(c, (short) 9, group, "instance-1");
            assertEquals(GroupErrors.NONE, first.errorCode());
            assertEquals(GroupErrors.NONE, c.<SyncGroupResponseData>call(ApiKeys.SYNC_GROUP, (short) 5,
                    new SyncGroupRequestData().setGroupId(group).setGenerationId(first.generationId())
                            .setMemberId(first.memberId()).setGroupInstanceId("instance-1")
                            .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment()
                                    .setMemberId(first.memberId()).setAssignment(new byte[] {9})))).errorCode());
            JoinGroupResponseData second = joinNew(c, (short) 9, group, "instance-1");
            assertEquals(GroupErrors.NONE, second.errorCode());
            assertNotEquals(first.memberId(), second.memberId());
            assertEquals(first.generationId(), second.generationId(), "a returning static member causes no rebalance");
            SyncGroupResponseData kept = c.call(ApiKeys.SYNC_GROUP, (short) 5, new SyncGroupRequestData()
                    .setGroupId(group).setGenerationId(second.generationId()).setMemberId(second.memberId())
                    .setGroupInstanceId("instance-1").setAssignments(List.of()));
            assertEquals(GroupErrors.NONE, kept.errorCode());
            assertEquals(9, kept.assignment()[0], "it keeps its assignment");
            assertEquals(GroupErrors.FENCED_INSTANCE_ID, c.<HeartbeatResponseData>call(ApiKeys.HEARTBEAT, (short) 4,
                    new HeartbeatRequestData().setGroupId(group).setGenerationId(first.generationId())
                            .setMemberId(first.memberId()).setGroupInstanceId("instance-1")).errorCode());
            OffsetCommitRequestData fencedCommit = commit(group, first.generationId(), first.memberId(), "wire", 1)
                    .setGroupInstanceId("instance-1");
            assertEquals(GroupErrors.FENCED_INSTANCE_ID, commitError(c.call(ApiKeys.OFFSET_COMMIT, (short) 8, fencedCommit)));
            LeaveGroupResponseData left = c.call(ApiKeys.LEAVE_GROUP, (short) 5, new LeaveGroupRequestData()
                    .setGroupId(group).setMembers(new ArrayList<>(List.of(new LeaveGroupRequestData.MemberIdentity()
                            .setMemberId(first.memberId()).setGroupInstanceId("instance-1")))));
            assertEquals(GroupErrors.FENCED_INSTANCE_ID, left.members().get(0).errorCode());
        }
    }
}
