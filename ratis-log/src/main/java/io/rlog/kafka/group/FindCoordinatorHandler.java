package io.rlog.kafka.group;

import io.rlog.broker.Broker;
import io.rlog.broker.Broker.ClusterView;
import io.rlog.broker.Broker.Node;
import io.rlog.broker.GroupCoordinator;
import io.rlog.broker.GroupCoordinator.CoordinatorOutcome;
import io.rlog.broker.TransactionCoordinator;
import io.rlog.group.GroupErrors;
import io.rlog.kafka.ListenerConfig;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * FindCoordinator v0-v6 (batched keys from v4). Group and transaction keys: the coordinator is the node the metadata
 * records as leader of the key's {@code __consumer_offsets} partition; COORDINATOR_NOT_AVAILABLE while it has none
 * (the client retries). Share-group keys are refused: rlog serves none.
 */
public final class FindCoordinatorHandler implements ApiHandler {
    private static final byte GROUP_KEY = 0;
    private static final byte TRANSACTION_KEY = 1;

    private final Broker broker;
    private final GroupCoordinator groups;
    /** Null when this listener serves no transactions. */
    private final TransactionCoordinator txns;
    private final ListenerConfig config;
    private final IntSupplier boundPort;

    public FindCoordinatorHandler(Broker broker, GroupCoordinator groups, TransactionCoordinator txns,
                                  ListenerConfig config, IntSupplier boundPort) {
        this.broker = broker;
        this.groups = groups;
        this.txns = txns;
        this.config = config;
        this.boundPort = boundPort;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        FindCoordinatorRequestData data = (FindCoordinatorRequestData) request;
        ClusterView view = broker.cluster();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (context.apiVersion() < 4) {
            Coordinator c = find(data.key(), data.keyType(), view);
            response.setErrorCode(c.errorCode()).setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
            if (context.apiVersion() >= 1) {
                response.setErrorMessage(c.errorMessage());
            }
        } else {
            List<Coordinator> coordinators = new ArrayList<>();
            for (String key : data.coordinatorKeys()) {
                coordinators.add(find(key, data.keyType(), view));
            }
            response.setCoordinators(coordinators);
        }
        return CompletableFuture.completedFuture(response);
    }

    private Coordinator find(String key, byte keyType, ClusterView view) {
        Coordinator c = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        boolean transaction = keyType == TRANSACTION_KEY && txns != null;
        if (keyType != GROUP_KEY && !transaction) {
            return c.setErrorCode(GroupErrors.INVALID_REQUEST)
                    .setErrorMessage("rlog coordinates consumer groups and transactions, not key type " + keyType);
        }
        if (key == null || key.isEmpty()) {
            return transaction ? c.setErrorCode(GroupErrors.INVALID_REQUEST)
                    .setErrorMessage("The transactional id is empty.")
                    : c.setErrorCode(GroupErrors.INVALID_GROUP_ID).setErrorMessage("The group id is empty.");
        }
        CoordinatorOutcome outcome = transaction ? txns.findCoordinator(key) : groups.findCoordinator(key);
        if (outcome.errorCode() != GroupErrors.NONE) {
            return c.setErrorCode(outcome.errorCode()).setErrorMessage(outcome.message());
        }
        for (Node node : view.nodes()) {
            if (node.id() == outcome.nodeId()) {
                String host = node.host();
                int port = node.port();
                if (node.id() == broker.nodeId()) {
                    // As in Metadata: this node advertises the host it was told to and the port it really bound.
                    host = config.advertisedHost() != null ? config.advertisedHost() : host;
                    port = boundPort.getAsInt() > 0 ? boundPort.getAsInt() : port;
                }
                return c.setErrorCode(GroupErrors.NONE).setNodeId(node.id()).setHost(host).setPort(port);
            }
        }
        return c.setErrorCode(GroupErrors.COORDINATOR_NOT_AVAILABLE)
                .setErrorMessage("The coordinator's node " + outcome.nodeId() + " is not in the cluster view.");
    }
}
