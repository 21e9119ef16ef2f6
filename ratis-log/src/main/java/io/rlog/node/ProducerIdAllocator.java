package io.rlog.node;

import io.rlog.proto.AllocateProducerIds;
import io.rlog.proto.MetadataCommand;

import java.util.concurrent.CompletableFuture;

/**
 * Hands out producer ids from blocks allocated through the metadata group, so an id is never handed out twice
 * across nodes, restarts or leader changes (a block is lost on restart, never reused).
 */
final class ProducerIdAllocator {

    /** Ids per block: one metadata write per this many InitProducerId requests on a node. */
    static final int BLOCK_SIZE = 1000;

    private final int nodeId;
    private final MetadataWriter writer;
    private long next;
    private long end;
    private CompletableFuture<Void> refill;

    ProducerIdAllocator(int nodeId, MetadataWriter writer) {
        this.nodeId = nodeId;
        this.writer = writer;
    }

    CompletableFuture<Long> allocate() {
        CompletableFuture<Void> pending;
        synchronized (this) {
            if (next < end) {
                return CompletableFuture.completedFuture(next++);
            }
            if (refill == null) {
                MetadataCommand cmd = MetadataCommand.newBuilder().setAllocateProducerIds(
                        AllocateProducerIds.newBuilder().setNodeId(nodeId).setCount(BLOCK_SIZE)).build();
                refill = writer.write(cmd).thenAccept(reply -> {
                    synchronized (this) {
                        if (reply.getErrorCode() == 0) {
                            next = reply.getFirstProducerId();
                            end = next + BLOCK_SIZE;
                        }
                        refill = null;
                    }
                    if (reply.getErrorCode() != 0) {
                        throw new IllegalStateException("producer id allocation failed: " + reply.getErrorMessage());
                    }
                });
            }
            pending = refill;
        }
        return pending.thenCompose(v -> allocate());
    }
}
