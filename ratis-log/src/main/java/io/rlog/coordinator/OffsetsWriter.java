package io.rlog.coordinator;

import io.rlog.group.GroupErrors;
import io.rlog.node.RaftHost;
import io.rlog.proto.AppendReply;
import io.rlog.proto.OffsetsCommand;
import io.rlog.proto.PartitionCommand;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Proposes consumer-group state changes to the local replica of a {@code __consumer_offsets} partition (no network
 * hop to itself) and completes after quorum commit and apply. Outcomes are Kafka error codes: a lost leadership is
 * NOT_COORDINATOR, anything that may still commit later (a timeout) COORDINATOR_NOT_AVAILABLE; both make the
 * client find the coordinator again and retry.
 */
final class OffsetsWriter {

    private final RaftHost host;
    private final int timeoutMs;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();

    OffsetsWriter(RaftHost host, int timeoutMs) {
        this.host = host;
        this.timeoutMs = timeoutMs;
    }

    CompletableFuture<Short> write(RaftGroupId gid, OffsetsCommand command) {
        PartitionCommand cmd = PartitionCommand.newBuilder().setOffsets(command).build();
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId)
                .setServerId(host.server().getId()).setGroupId(gid).setCallId(callIds.incrementAndGet())
                .setMessage(Message.valueOf(RatisBytes.of(cmd)))
                .setType(RaftClientRequest.writeRequestType()).build();
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = host.server().submitClientRequestAsync(request);
        } catch (IOException e) {
            return CompletableFuture.completedFuture(GroupErrors.NOT_COORDINATOR);
        }
        return reply.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).handle((r, t) -> t != null ? failure(t) : outcome(r));
    }

    private static short outcome(RaftClientReply r) {
        if (!r.isSuccess()) {
            return failure(r.getException());
        }
        try {
            AppendReply a = AppendReply.parseFrom(RatisBytes.toBuffer(r.getMessage().getContent()));
            if (a.getErrorCode() == io.rlog.broker.ErrorCodes.INVALID_PRODUCER_EPOCH) {
                return io.rlog.broker.ErrorCodes.INVALID_PRODUCER_EPOCH; // a fenced producer's TxnOffsetCommit
            }
            return a.getErrorCode() == 0 ? GroupErrors.NONE : GroupErrors.UNKNOWN_SERVER_ERROR;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return GroupErrors.UNKNOWN_SERVER_ERROR;
        }
    }

    private static short failure(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof TimeoutException || c instanceof org.apache.ratis.protocol.exceptions.TimeoutIOException) {
            return GroupErrors.COORDINATOR_NOT_AVAILABLE;
        }
        if (c instanceof NotLeaderException || c instanceof org.apache.ratis.protocol.exceptions.LeaderNotReadyException
                || c instanceof org.apache.ratis.protocol.exceptions.LeaderSteppingDownException
                || c instanceof org.apache.ratis.protocol.exceptions.AlreadyClosedException
                || c instanceof org.apache.ratis.protocol.exceptions.GroupMismatchException) {
            return GroupErrors.NOT_COORDINATOR;
        }
        return GroupErrors.COORDINATOR_NOT_AVAILABLE;
    }
}
