package io.rlog.node;

import io.rlog.broker.ErrorCodes;
import io.rlog.proto.AppendReply;
import io.rlog.proto.PartitionCommand;
import io.rlog.proto.TopicRecord;
import io.rlog.proto.TxnMarker;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Writes transaction markers (Kafka's WriteTxnMarkers) for the transaction coordinator: one Raft entry per
 * partition, proposed through a Ratis client of the partition's group, which finds its leader wherever it is and
 * follows it through elections. A marker is acknowledged once it is committed and applied, like an acks=all write.
 *
 * <p>Outcomes: NONE when the partition applied the marker (also when the producer had nothing open there);
 * INVALID_PRODUCER_EPOCH when the partition knows a newer epoch of the producer (a later transaction has moved on,
 * so this marker has nothing left to end); UNKNOWN_TOPIC_OR_PARTITION when the topic is gone; REQUEST_TIMED_OUT
 * when the group did not answer within {@code timeoutMs} (the coordinator retries later). Clients are kept per group
 * until close.
 */
public final class MarkerWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MarkerWriter.class);

    private final RaftHost host;
    private final MetadataView view;
    private final int timeoutMs;
    private final ConcurrentHashMap<RaftGroupId, RaftClient> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public MarkerWriter(RaftHost host, MetadataView view, int timeoutMs) {
        this.host = host;
        this.view = view;
        this.timeoutMs = timeoutMs;
    }

    public CompletableFuture<Short> write(String topic, int partition, TxnMarker marker) {
        TopicRecord t = view.current().byName().get(topic);
        if (t == null || partition < 0 || partition >= t.getPartitionsCount()) {
            return CompletableFuture.completedFuture(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
        }
        if (closed) {
            return CompletableFuture.completedFuture(ErrorCodes.COORDINATOR_NOT_AVAILABLE);
        }
        RaftGroupId gid = GroupIds.partition(GroupIds.uuid(t.getTopicId()), partition);
        RaftClient client = clients.computeIfAbsent(gid, g -> host.newClient(
                host.partitionGroup(g, t.getPartitions(partition).getReplicasList())));
        Message message = Message.valueOf(RatisBytes.of(PartitionCommand.newBuilder().setTxnMarker(marker).build()));
        return client.async().send(message).orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .handle((reply, failure) -> outcome(topic, partition, reply, failure));
    }

    private static short outcome(String topic, int partition, RaftClientReply reply, Throwable failure) {
        if (failure != null || !reply.isSuccess()) {
            LOG.info("transaction marker for {}-{} not written yet: {}", topic, partition,
                    failure != null ? failure.toString() : String.valueOf(reply.getException()));
            return ErrorCodes.REQUEST_TIMED_OUT;
        }
        try {
            AppendReply a = AppendReply.parseFrom(RatisBytes.toBuffer(reply.getMessage().getContent()));
            return (short) a.getErrorCode();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return ErrorCodes.UNKNOWN_SERVER_ERROR;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (RaftClient c : clients.values()) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing a marker client", e);
            }
        }
        clients.clear();
    }
}
