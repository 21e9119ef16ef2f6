package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.coordinator.GroupCoordinatorService;
import io.rlog.group.GroupErrors;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * ListGroups v0-v5: the groups this node coordinates (Kafka's admin asks every node and merges). States filter
 * from v4, types filter from v5; every rlog group is a "classic" group.
 */
public final class ListGroupsHandler implements ApiHandler {
    private final GroupCoordinator groups;

    public ListGroupsHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
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
        ListGroupsRequestData data = (ListGroupsRequestData) request;
        short version = context.apiVersion();
        Set<String> states = version >= 4 ? new HashSet<>(data.statesFilter()) : Set.of();
        Set<String> types = version >= 5 ? new HashSet<>(data.typesFilter()) : Set.of();
        return groups.listGroups(states, types).thenApply(listings -> {
            List<ListedGroup> out = new ArrayList<>();
            listings.forEach(l -> {
                ListedGroup g = new ListedGroup().setGroupId(l.groupId()).setProtocolType(l.protocolType());
                if (version >= 4) {
                    g.setGroupState(l.state());
                }
                if (version >= 5) {
                    g.setGroupType(GroupCoordinatorService.CLASSIC_TYPE);
                }
                out.add(g);
            });
            return new ListGroupsResponseData().setThrottleTimeMs(0).setErrorCode(GroupErrors.NONE).setGroups(out);
        });
    }
}
