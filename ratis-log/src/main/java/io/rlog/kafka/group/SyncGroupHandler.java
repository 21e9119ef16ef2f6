package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.group.Messages.SyncRequest;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** SyncGroup v0-v5: the leader brings the assignment; every member waits for its own part of it. */
public final class SyncGroupHandler implements ApiHandler {
    private final GroupCoordinator groups;

    public SyncGroupHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
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
        SyncGroupRequestData data = (SyncGroupRequestData) request;
        short version = context.apiVersion();
        Map<String, byte[]> assignments = new LinkedHashMap<>();
        for (SyncGroupRequestAssignment a : data.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        SyncRequest sync = new SyncRequest(data.memberId(), version >= 3 ? data.groupInstanceId() : null,
                data.generationId(), version >= 5 ? data.protocolType() : null,
                version >= 5 ? data.protocolName() : null, assignments);
        return groups.sync(data.groupId(), sync).thenApply(r -> {
            SyncGroupResponseData response = new SyncGroupResponseData().setThrottleTimeMs(0)
                    .setErrorCode(r.errorCode()).setAssignment(r.assignment());
            if (version >= 5) {
                response.setProtocolType(r.protocolType()).setProtocolName(r.protocolName());
            }
            return response;
        });
    }
}
