package io.rlog.node;

import io.rlog.proto.MetadataCommand;
import io.rlog.proto.MetadataReply;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Writes commands to the metadata group through a Ratis client, which finds and follows its leader. */
public final class MetadataWriter {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataWriter.class);

    private final RaftClient client;

    MetadataWriter(RaftClient client) {
        this.client = client;
    }

    public CompletableFuture<MetadataReply> write(MetadataCommand cmd) {
        return client.async().send(Message.valueOf(RatisBytes.of(cmd))).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new CompletionException(reply.getException());
            }
            announceCommit();
            try {
                ByteBuffer b = RatisBytes.toBuffer(reply.getMessage().getContent());
                return MetadataReply.parseFrom(b);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new CompletionException(e);
            }
        });
    }

    /**
     * Has the leader tell every follower its commit index now, so that every node applies a metadata write within
     * a round trip rather than at the next heartbeat (the Raft log carries no commit-index entries; RaftHost).
     * A linearizable read does it: the leader confirms its leadership with a heartbeat to each follower, and a
     * heartbeat carries the commit index. Not awaited; if it fails, the next heartbeat carries the same news.
     */
    private void announceCommit() {
        client.async().sendReadOnly(Message.EMPTY).whenComplete((reply, e) -> {
            if (e != null || !reply.isSuccess()) {
                LOG.debug("commit announcement failed: {}", e != null ? e.toString() : reply.getException());
            }
        });
    }
}
