package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.group.Messages.JoinRequest;
import io.rlog.group.Messages.JoinResult;
import io.rlog.group.Messages.JoinedMember;
import io.rlog.group.Protocol;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * JoinGroup v0-v9. From v4 a new member gets MEMBER_ID_REQUIRED with its id and joins again with it (KIP-394); v0
 * has no rebalance timeout, which is then the session timeout (as in Kafka). The response waits until the join
 * phase ends, so it may take up to the rebalance timeout.
 */
public final class JoinGroupHandler implements ApiHandler {
    private final GroupCoordinator groups;

    public JoinGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        JoinGroupRequestData data = (JoinGroupRequestData) request;
        short version = context.apiVersion();
        List<Protocol> protocols = new ArrayList<>();
        for (JoinGroupRequestProtocol p : data.protocols()) {
            protocols.add(new Protocol(p.name(), p.metadata()));
        }
        int rebalanceTimeoutMs = version >= 1 ? data.rebalanceTimeoutMs() : data.sessionTimeoutMs();
        JoinRequest join = new JoinRequest(data.memberId(), version >= 5 ? data.groupInstanceId() : null,
                data.protocolType(), protocols, data.sessionTimeoutMs(), rebalanceTimeoutMs,
                context.clientId() == null ? "" : context.clientId(), GroupHandlers.clientHost(context), version >= 4,
                version >= 8 ? data.reason() : null);
        return groups.join(data.groupId(), join).thenApply(result -> response(result, version));
    }

    static JoinGroupResponseData response(JoinResult r, short version) {
        List<JoinGroupResponseMember> members = new ArrayList<>();
        for (JoinedMember m : r.members()) {
            JoinGroupResponseMember member = new JoinGroupResponseMember().setMemberId(m.memberId())
                    .setMetadata(m.metadata());
            if (version >= 5) {
                member.setGroupInstanceId(m.instanceId());
            }
            members.add(member);
        }
        JoinGroupResponseData response = new JoinGroupResponseData()
                .setThrottleTimeMs(0)
                .setErrorCode(r.errorCode())
                .setGenerationId(r.generation())
                // Nullable from v7 only; before, an absent protocol is the empty string.
                .setProtocolName(r.protocolName() == null && version < 7 ? "" : r.protocolName())
                .setLeader(r.leaderId() == null ? "" : r.leaderId())
                .setMemberId(r.memberId() == null ? "" : r.memberId())
                .setMembers(members);
        if (version >= 7) {
            response.setProtocolType(r.protocolType());
        }
        return response;
    }
}
