package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.broker.GroupCoordinator.LeavingMember;
import io.rlog.group.GroupErrors;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * LeaveGroup v0-v5: one member before v3, a batch (by member id or group.instance.id, KIP-345) from v3. Before v3
 * the one member's error is the top-level error, as in Kafka.
 */
public final class LeaveGroupHandler implements ApiHandler {
    private final GroupCoordinator groups;

    public LeaveGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
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
        LeaveGroupRequestData data = (LeaveGroupRequestData) request;
        short version = context.apiVersion();
        List<LeavingMember> members = new ArrayList<>();
        if (version < 3) {
            members.add(new LeavingMember(data.memberId(), null, null));
        } else {
            for (MemberIdentity m : data.members()) {
                members.add(new LeavingMember(m.memberId(), m.groupInstanceId(), version >= 5 ? m.reason() : null));
            }
        }
        return groups.leave(data.groupId(), members).thenApply(outcome -> {
            LeaveGroupResponseData response = new LeaveGroupResponseData().setThrottleTimeMs(0)
                    .setErrorCode(outcome.errorCode());
            if (version < 3) {
                if (outcome.errorCode() == GroupErrors.NONE && !outcome.memberErrors().isEmpty()) {
                    response.setErrorCode(outcome.memberErrors().get(0));
                }
                return response;
            }
            List<MemberResponse> out = new ArrayList<>();
            for (int i = 0; i < outcome.memberErrors().size(); i++) {
                out.add(new MemberResponse().setMemberId(members.get(i).memberId())
                        .setGroupInstanceId(members.get(i).instanceId()).setErrorCode(outcome.memberErrors().get(i)));
            }
            return response.setMembers(out);
        });
    }
}
