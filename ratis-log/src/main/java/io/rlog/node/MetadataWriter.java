package io.rlog.node;

import io.rlog.proto.MetadataCommand;
import io.rlog.proto.MetadataReply;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Writes commands to the metadata group through a Ratis client, which finds and follows its leader. */
public final class MetadataWriter {

    private final RaftClient client;

    MetadataWriter(RaftClient client) {
        this.client = client;
    }

    public CompletableFuture<MetadataReply> write(MetadataCommand cmd) {
        return client.async().send(Message.valueOf(RatisBytes.of(cmd))).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new CompletionException(reply.getException());
            }
            try {
                ByteBuffer b = RatisBytes.toBuffer(reply.getMessage().getContent());
                return MetadataReply.parseFrom(b);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new CompletionException(e);
            }
        });
    }
}
