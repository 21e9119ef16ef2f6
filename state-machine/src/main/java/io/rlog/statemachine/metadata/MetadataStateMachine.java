package io.rlog.statemachine.metadata;

import io.rlog.proto.MetadataCommand;
import io.rlog.proto.MetadataImage;
import io.rlog.proto.MetadataReply;
import io.rlog.statemachine.Listeners;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The Ratis state machine of the metadata group. Its state is small, so it lives in memory
 * ({@link MetadataState}) and a snapshot is one file holding the whole {@link MetadataImage}; on restart Ratis
 * loads the newest snapshot and replays the log after it.
 */
public class MetadataStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    /** What the node hears: every new image (after each apply) and leader changes. Must not block. */
    public interface Events {
        void imageChanged(MetadataImage image);

        void leaderChanged(RaftGroupId groupId, RaftPeerId newLeaderId);
    }

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final MetadataState state = new MetadataState();
    private final Events events;

    public MetadataStateMachine(Events events) {
        this.events = events;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    @Override
    public void reinitialize() throws IOException {
        load();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    private synchronized void load() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null) {
            state.restore(MetadataImage.getDefaultInstance());
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        MD5Hash expected = snapshot.getFile().getFileDigest();
        if (expected != null && !expected.equals(MD5FileUtil.computeMd5ForFile(file))) {
            throw new IOException("metadata snapshot " + file + " fails its MD5 check");
        }
        state.restore(MetadataImage.parseFrom(Files.readAllBytes(file.toPath())));
        setLastAppliedTermIndex(snapshot.getTermIndex());
        Listeners.tell(LOG, "metadata", () -> events.imageChanged(state.image()));
        LOG.info("metadata: loaded snapshot {} with {} topics", snapshot.getTermIndex(), state.image().getTopicsCount());
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public synchronized long takeSnapshot() throws IOException {
        TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() < 0) {
            return -1;
        }
        File file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex());
        File tmp = new File(file.getPath() + ".tmp");
        Files.write(tmp.toPath(), state.image().toByteArray());
        MD5Hash md5 = MD5FileUtil.computeMd5ForFile(tmp);
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
        MD5FileUtil.saveMD5File(file, md5);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(
                new org.apache.ratis.server.storage.FileInfo(file.toPath(), md5), applied));
        return applied.getIndex();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        MetadataReply reply;
        synchronized (this) {
            try {
                MetadataCommand cmd = MetadataCommand.parseFrom(
                        RatisBytes.toBuffer(entry.getStateMachineLogEntry().getLogData()));
                reply = state.apply(cmd, entry.getTerm(), entry.getIndex());
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                state.applied(entry.getTerm(), entry.getIndex());
                reply = MetadataReply.newBuilder().setErrorCode(MetadataState.INVALID_REQUEST)
                        .setErrorMessage("undecodable metadata entry").build();
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        Listeners.tell(LOG, "metadata", () -> events.imageChanged(state.image()));
        return CompletableFuture.completedFuture(Message.valueOf(RatisBytes.of(reply)));
    }

    /**
     * Answers every read with an empty message: the node reads its metadata from {@link #image()} and sends the
     * group no Ratis reads.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        Listeners.tell(LOG, "metadata", () -> events.leaderChanged(groupMemberId.getGroupId(), newLeaderId));
    }

    /** The newest applied image of this replica. */
    public MetadataImage image() {
        return state.image();
    }
}
