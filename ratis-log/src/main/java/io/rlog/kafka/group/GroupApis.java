package io.rlog.kafka.group;

import io.rlog.broker.Broker;
import io.rlog.broker.GroupCoordinator;
import io.rlog.kafka.ListenerConfig;
import io.rlog.kafka.api.HandlerTable;
import io.rlog.kafka.metadata.CreatePartitionsHandler;
import java.util.function.IntSupplier;

/** The consumer-group APIs (and CreatePartitions, which grows what groups consume), as one registration. */
public final class GroupApis {
    private GroupApis() {}

    /** {@code txns}: the node's transaction coordinator, or null (FindCoordinator then refuses transaction keys). */
    public static void register(HandlerTable table, Broker broker, GroupCoordinator groups,
                                io.rlog.broker.TransactionCoordinator txns, ListenerConfig config, IntSupplier boundPort) {
        table.register(new FindCoordinatorHandler(broker, groups, txns, config, boundPort))
                .register(new JoinGroupHandler(groups))
                .register(new SyncGroupHandler(groups))
                .register(new HeartbeatHandler(groups))
                .register(new LeaveGroupHandler(groups))
                .register(new OffsetCommitHandler(groups))
                .register(new OffsetFetchHandler(groups))
                .register(new ListGroupsHandler(groups))
                .register(new DescribeGroupsHandler(groups))
                .register(new DeleteGroupsHandler(groups))
                .register(new OffsetDeleteHandler(groups))
                .register(new CreatePartitionsHandler(broker, config));
    }
}
