package io.rlog.node;

import io.rlog.proto.CommitNotice;
import io.rlog.proto.MetadataCommand;
import io.rlog.proto.MetadataReply;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes commands to the metadata group through its node's Ratis client, which finds and follows its leader. A
 * client that a failed request left unusable is replaced (see {@link RaftHost#replaceMetadataClient}).
 */
public final class MetadataWriter {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataWriter.class);

    private static final Message NOTICE = Message.valueOf(
            RatisBytes.of(MetadataCommand.newBuilder().setCommitNotice(CommitNotice.getDefaultInstance()).build()));

    private final RaftHost host;
    /** 0: no notice in flight; 1: one in flight; 2: one in flight and writes committed since it was sent. */
    private final AtomicInteger notices = new AtomicInteger();

    MetadataWriter(RaftHost host) {
        this.host = host;
    }

    private CompletableFuture<RaftClientReply> send(Message message) {
        RaftClient client = host.metadataClient();
        return client.async().send(message).whenComplete((reply, error) -> {
            if (error != null) {
                // A request that failed (after the client's retries: RaftRetryFailureException, or at once, e.g.
                // LeaderNotReadyException from a leader just elected) closes the client's ordered window, and the
                // client then fails everything with AlreadyClosedException. An unsuccessful reply does not.
                host.replaceMetadataClient(client);
            }
        });
    }

    /** Sends {@code message}; completes with the reply once it committed, and announces that commit. */
    private CompletableFuture<RaftClientReply> commit(Message message) {
        return send(message).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new CompletionException(reply.getException());
            }
            announceCommit();
            return reply;
        });
    }

    public CompletableFuture<MetadataReply> write(MetadataCommand cmd) {
        return commit(Message.valueOf(RatisBytes.of(cmd))).thenApply(reply -> {
            try {
                ByteBuffer b = RatisBytes.toBuffer(reply.getMessage().getContent());
                return MetadataReply.parseFrom(b);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new CompletionException(e);
            }
        });
    }

    /**
     * Commits a {@link CommitNotice} through the group's leader and completes with its log index: every metadata
     * entry committed before this call is at or below that index. Like a write, it is then announced (see
     * {@link #announceCommit}), so every follower learns within a round trip that the notice itself committed.
     */
    public CompletableFuture<Long> commitNoticeIndex() {
        return commit(NOTICE).thenApply(RaftClientReply::getLogIndex);
    }

    /**
     * Has the leader tell every follower its commit index now, so that every node applies a metadata write within
     * a round trip rather than at the next heartbeat (the Raft log carries no commit-index entries; RaftHost).
     * A {@link CommitNotice} does it: the leader sends it to each follower in an appendEntries that carries the
     * commit index, and as it is sent after the write committed, that index covers the write.
     *
     * <p>A heartbeat would not always do: Ratis's leader sends a follower that still owes it a reply to an earlier
     * appendEntries (here, very often the write's own, to the slower follower) a heartbeat with no commit index
     * at all, and nothing else until its next regular heartbeat. A linearizable read, the announcement before,
     * lost that way one follower's news or its own answer in two of four full test runs.
     *
     * <p>At most one notice is in flight; writes that commit meanwhile are covered by one more sent after it. Not
     * awaited; if a notice fails, the next heartbeat carries the same news.
     */
    private void announceCommit() {
        if (notices.getAndUpdate(n -> Math.min(n + 1, 2)) == 0) {
            sendNotice();
        }
    }

    private void sendNotice() {
        send(NOTICE).whenComplete((reply, e) -> {
            if (e != null || !reply.isSuccess()) {
                LOG.debug("commit notice failed: {}", e != null ? e.toString() : reply.getException());
            }
            if (notices.decrementAndGet() > 0) {
                sendNotice();
            }
        });
    }
}
