package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** Heartbeat v0-v4: keeps the member's session; REBALANCE_IN_PROGRESS tells it to rejoin. */
public final class HeartbeatHandler implements ApiHandler {
    private final GroupCoordinator groups;

    public HeartbeatHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        HeartbeatRequestData data = (HeartbeatRequestData) request;
        String instanceId = context.apiVersion() >= 3 ? data.groupInstanceId() : null;
        return groups.heartbeat(data.groupId(), data.memberId(), instanceId, data.generationId())
                .thenApply(code -> new HeartbeatResponseData().setThrottleTimeMs(0).setErrorCode(code));
    }
}
