package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.broker.GroupCoordinator.DescribeOutcome;
import io.rlog.group.GroupErrors;
import io.rlog.group.Messages.GroupDescription;
import io.rlog.group.Messages.MemberDescription;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * DescribeGroups v0-v5. An unknown group is Dead with no members and no error, as Kafka answers; member metadata and
 * assignments are filled while the group is Stable. rlog has no ACLs: authorized operations are "not provided".
 */
public final class DescribeGroupsHandler implements ApiHandler {
    private static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;

    private final GroupCoordinator groups;

    public DescribeGroupsHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        DescribeGroupsRequestData data = (DescribeGroupsRequestData) request;
        short version = context.apiVersion();
        List<CompletableFuture<DescribedGroup>> answers = new ArrayList<>();
        for (String groupId : data.groups()) {
            answers.add(groups.describe(groupId).thenApply(o -> described(groupId, o, version)));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<DescribedGroup> out = new ArrayList<>();
            answers.forEach(a -> out.add(a.join()));
            return new DescribeGroupsResponseData().setThrottleTimeMs(0).setGroups(out);
        });
    }

    private static DescribedGroup described(String groupId, DescribeOutcome outcome, short version) {
        DescribedGroup g = new DescribedGroup().setGroupId(groupId).setErrorCode(outcome.errorCode())
                .setGroupState("").setProtocolType("").setProtocolData("").setMembers(new ArrayList<>());
        if (version >= 3) {
            g.setAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        }
        if (outcome.errorCode() != GroupErrors.NONE) {
            return g;
        }
        GroupDescription d = outcome.description();
        List<DescribedGroupMember> members = new ArrayList<>();
        for (MemberDescription m : d.members()) {
            DescribedGroupMember member = new DescribedGroupMember().setMemberId(m.memberId())
                    .setClientId(m.clientId()).setClientHost(m.clientHost())
                    .setMemberMetadata(m.metadata()).setMemberAssignment(m.assignment());
            if (version >= 4) {
                member.setGroupInstanceId(m.instanceId());
            }
            members.add(member);
        }
        return g.setGroupState(d.state().kafkaName()).setProtocolType(d.protocolType())
                .setProtocolData(d.protocolName() == null ? "" : d.protocolName()).setMembers(members);
    }
}
