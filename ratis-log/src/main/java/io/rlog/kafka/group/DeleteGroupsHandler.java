package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** DeleteGroups v0-v2: removes an Empty group and its committed offsets (a Raft write per group). */
public final class DeleteGroupsHandler implements ApiHandler {
    private final GroupCoordinator groups;

    public DeleteGroupsHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        DeleteGroupsRequestData data = (DeleteGroupsRequestData) request;
        Map<String, CompletableFuture<Short>> results = new LinkedHashMap<>();
        for (String groupId : data.groupsNames()) {
            results.putIfAbsent(groupId, groups.deleteGroup(groupId));
        }
        return CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            DeletableGroupResultCollection out = new DeletableGroupResultCollection();
            results.forEach((g, f) -> out.add(new DeletableGroupResult().setGroupId(g).setErrorCode(f.join())));
            return new DeleteGroupsResponseData().setThrottleTimeMs(0).setResults(out);
        });
    }
}
