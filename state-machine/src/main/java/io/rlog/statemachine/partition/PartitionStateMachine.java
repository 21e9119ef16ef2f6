package io.rlog.statemachine.partition;

import com.google.protobuf.ByteString;
import io.rlog.proto.AppendBatches;
import io.rlog.proto.AppendMany;
import io.rlog.proto.AppendManyReply;
import io.rlog.proto.AppendReply;
import io.rlog.proto.OffsetsCommand;
import io.rlog.proto.PartitionCommand;
import io.rlog.proto.TxnMarker;
import io.rlog.statemachine.CheckpointStorage;
import io.rlog.statemachine.Invariants;
import io.rlog.statemachine.Listeners;
import io.rlog.statemachine.RatisBytes;
import io.rlog.statemachine.offsets.OffsetReader;
import io.rlog.statemachine.offsets.OffsetTable;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.TransactionContextImpl;
import org.apache.ratis.util.LifeCycle;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;

/**
 * The Ratis state machine of one topic partition. It decodes entries, delegates every decision to
 * {@link PartitionLog} and persists the outcome in {@link PartitionStore}; readers (Fetch, ListOffsets) read
 * the store directly up to the published high watermark, without a Raft round trip.
 *
 * <p>Restart: RocksDB runs without its own WAL, so after a crash it holds a prefix of the applied entries.
 * Ratis replays the log from the newest snapshot; every entry at or below the applied index stored in RocksDB
 * is skipped, the rest are applied again. Snapshot: a RocksDB checkpoint in {@code sm/}; a follower that
 * receives one rebuilds its live database from it in {@link #reinitialize()}.
 */
public class PartitionStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionStateMachine.class);
    static final short CORRUPT_MESSAGE = 2;
    static final short KAFKA_STORAGE_ERROR = 56;

    /** What the node hears from this partition. Called on Ratis threads; must not block. */
    public interface Events {
        void leaderChanged(RaftGroupId groupId, RaftPeerId newLeaderId);

        /**
         * One produce entry this replica proposed as leader was applied here, with the nanoseconds it spent in each step:
         * from startTransaction until Ratis gave it its log index ({@code admitNanos}), from then until apply began
         * (replication, the quorum's fsyncs, the commit and the updater's wake-up: {@code commitNanos}), and in
         * apply itself ({@code applyNanos}). Called on the group's apply thread.
         */
        default void entryApplied(long admitNanos, long commitNanos, long applyNanos) {
        }

        Events NONE = (g, l) -> { };
    }

    /**
     * A read of committed batches; {@code records} empty when there is nothing at or after the offset. At
     * read_committed the records end at the last stable offset and {@code abortedTransactions} lists the aborted
     * transactions they overlap (Kafka's FetchResponse fields); at read_uncommitted that list is empty.
     */
    public record ReadResult(short errorCode, long highWatermark, long logStartOffset, ByteBuffer records,
                             long lastStableOffset, List<AbortedTxn> abortedTransactions) {
        public ReadResult(short errorCode, long highWatermark, long logStartOffset, ByteBuffer records) {
            this(errorCode, highWatermark, logStartOffset, records, highWatermark, List.of());
        }
    }

    /** An aborted transaction as Fetch reports it: the producer and the first offset of its transaction here. */
    public record AbortedTxn(long producerId, long firstOffset) {}

    private final CheckpointStorage storage = new CheckpointStorage();
    private final Events events;
    private final LongSupplier clockMs;
    /** How the store's flushes and compactions write their files (node settings). */
    private final PartitionStore.FileWrites fileWrites;
    private final PartitionLog log = new PartitionLog();
    /** Consumer-group state; non-empty only on partitions of __consumer_offsets. */
    private final OffsetTable offsets = new OffsetTable();
    /** Guards the store against close and swap while readers use it. */
    private final ReentrantReadWriteLock storeLock = new ReentrantReadWriteLock();
    private final AtomicReference<CompletableFuture<Void>> nextAppend = new AtomicReference<>(new CompletableFuture<>());
    /** Completed, and replaced, whenever this replica's view of the leadership changes (see {@link #nextLeadershipEvent}). */
    private final AtomicReference<CompletableFuture<Void>> leadershipEvent =
            new AtomicReference<>(new CompletableFuture<>());
    private PartitionStore store;
    /** Invariant: highWatermark == log.logEndOffset() after every apply; everything below it is committed. */
    private volatile long highWatermark;
    /**
     * log.lastStableOffset() after every apply (<= highWatermark). Written after highWatermark and read before it,
     * so a reader that reads both never sees it above the high watermark.
     */
    private volatile long lastStableOffset;
    /** The transactions aborted here, for reads at read_committed; added to before the offsets are published. */
    private final AbortedTxns abortedTxns = new AbortedTxns();
    private volatile long logStartOffset;
    /** The largest record timestamp and its offset, published with the high watermark (ListOffsets -3). */
    private volatile long[] maxTimestampAndOffset = {-1, -1};
    /** The applied index persisted in RocksDB: entries at or below it are skipped on replay. */
    private long storedAppliedIndex = -1;
    /** The leader's look-ahead for replies on append (acks=1). */
    private final AppendProjection projection = new AppendProjection(PartitionStateMachine::decide, log);
    /** Raft calls whose proposer asked for the reply on append, until startTransaction takes them. */
    private final ConcurrentHashMap<Call, CompletableFuture<Message>> repliesOnAppend = new ConcurrentHashMap<>();
    /** This replica's division, for its current term; looked up once. */
    private volatile DivisionInfo division;
    /** The largest log entry Ratis's log takes (its appender buffer): a larger one fails after taking its index. */
    private volatile int logEntryBytesMax;
    /** What a log entry adds to its state machine entry: term, index, and the field's tag and length. */
    static final int LOG_ENTRY_FRAMING_BYTES = 32;

    private record Call(ClientId clientId, long callId) {}

    /** A leader's entry between startTransaction and apply: its command, and when it got to each step. */
    private static final class Proposed {
        final PartitionCommand cmd;
        final long startNanos;
        /** When Ratis gave the entry its log index; 0 until then (written by the thread that appended it). */
        volatile long indexedNanos;

        Proposed(PartitionCommand cmd, long startNanos) {
            this.cmd = cmd;
            this.startNanos = startNanos;
        }
    }

    public PartitionStateMachine(Events events, LongSupplier clockMs) {
        this(events, clockMs, PartitionStore.FileWrites.DEFAULT);
    }

    public PartitionStateMachine(Events events, LongSupplier clockMs, PartitionStore.FileWrites fileWrites) {
        this.events = events;
        this.clockMs = clockMs;
        this.fileWrites = fileWrites;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        openStore();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    @Override
    public void reinitialize() throws IOException {
        projection.reset();
        closeStore();
        storage.refresh();
        openStore();
        getLifeCycle().transition(LifeCycle.State.STARTING);
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /** Ratis pauses the state machine before it swaps in an installed snapshot (then reinitialize). */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** Opens the live database, first rebuilding it from the newest snapshot when that is ahead of it. */
    private void openStore() throws IOException {
        Path live = storage.liveDir("db");
        SnapshotInfo snapshot = storage.getLatestSnapshot();
        try {
            if (snapshot != null && (!Files.exists(live) || appliedIndexOf(live) < snapshot.getIndex())) {
                LOG.info("{}: restoring the live store from snapshot {}", getId(), snapshot.getTermIndex());
                CheckpointStorage.restoreCheckpoint(storage.latestPath(), live, PartitionStore.SEGMENTS_DIR);
            }
            storeLock.writeLock().lock();
            try {
                store = new PartitionStore(live, fileWrites);
                PartitionStore.Snapshot s = store.load();
                log.restore(s.logStartOffset(), s.logEndOffset(), s.maxTimestamp(), s.maxTimestampOffset(), s.producers());
                offsets.load(store::scan);
                abortedTxns.replace(s.aborted());
                storedAppliedIndex = s.appliedIndex();
                highWatermark = s.logEndOffset();
                lastStableOffset = log.lastStableOffset();
                logStartOffset = s.logStartOffset();
                maxTimestampAndOffset = new long[] {s.maxTimestamp(), s.maxTimestampOffset()};
            } finally {
                storeLock.writeLock().unlock();
            }
        } catch (RocksDBException e) {
            throw new IOException("cannot open partition store " + live, e);
        }
        // Ratis replays from the snapshot; the store may be further ahead, and apply skips up to it.
        setLastAppliedTermIndex(snapshot == null ? null : snapshot.getTermIndex());
        LOG.info("{}: opened store at logEndOffset={} appliedIndex={} snapshot={}", getId(), highWatermark,
                storedAppliedIndex, snapshot == null ? "none" : snapshot.getTermIndex());
    }

    private static long appliedIndexOf(Path dir) throws RocksDBException, IOException {
        try (PartitionStore s = new PartitionStore(dir)) {
            return s.load().appliedIndex();
        }
    }

    private void closeStore() {
        storeLock.writeLock().lock();
        try {
            if (store != null) {
                store.close();
                store = null;
            }
        } finally {
            storeLock.writeLock().unlock();
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return storage.getLatestSnapshot();
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() < 0) {
            return -1;
        }
        SnapshotInfo latest = storage.getLatestSnapshot();
        if (latest != null && latest.getIndex() >= applied.getIndex()) {
            return latest.getIndex();
        }
        Path target = storage.snapshotPath(applied);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        CheckpointStorage.deleteRecursively(tmp);
        storeLock.readLock().lock();
        try {
            store.checkpoint(tmp);
        } catch (RocksDBException e) {
            throw new IOException("checkpoint at " + applied + " failed", e);
        } finally {
            storeLock.readLock().unlock();
        }
        Files.move(tmp, target);
        storage.refresh();
        LOG.debug("{}: snapshot at {}", getId(), applied);
        return applied.getIndex();
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        long startNanos = System.nanoTime();
        PartitionCommand cmd = PartitionCommand.parseFrom(RatisBytes.input(request.getMessage().getContent()));
        // The leader stamps the append time, so that apply reads no clock (it must be deterministic), and the
        // sequence rule the entry is applied with (ProducerStateTable), so that older entries keep theirs.
        if (cmd.hasAppend()) {
            cmd = cmd.toBuilder().setAppend(stamp(cmd.getAppend().toBuilder(), clockMs.getAsLong())).build();
        } else if (cmd.hasAppendMany()) {
            long now = clockMs.getAsLong();
            AppendMany.Builder many = cmd.getAppendMany().toBuilder();
            for (AppendBatches.Builder a : many.getAppendsBuilderList()) {
                stamp(a, now);
            }
            cmd = PartitionCommand.newBuilder().setAppendMany(many).build();
        } else if (cmd.hasTxnMarker()) {
            cmd = cmd.toBuilder().setTxnMarker(cmd.getTxnMarker().toBuilder().setAppendTimeMs(clockMs.getAsLong()))
                    .build();
        }
        Proposed proposed = new Proposed(cmd, startNanos);
        TransactionContext trx = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
                .setLogData(RatisBytes.of(cmd)).setStateMachineContext(proposed).build();
        CompletableFuture<Message> replyOnAppend = repliesOnAppend.isEmpty() ? null
                : repliesOnAppend.remove(new Call(request.getClientId(), request.getCallId()));
        // Every entry, asked for or not, goes through the projection as it takes its index (under the log's lock,
        // in log order): once in step, it must see them all.
        if (trx instanceof TransactionContextImpl impl) {
            PartitionCommand stamped = cmd;
            int entryBytes = trx.getStateMachineLogEntry().getSerializedSize() + LOG_ENTRY_FRAMING_BYTES;
            impl.getLogIndexFuture().thenAccept(index -> {
                proposed.indexedNanos = System.nanoTime();
                long term = currentTerm();
                // Ratis checks the entry's size after giving it its index, and refuses it then without using the
                // index: such an entry must not be answered, nor decided on the copy, where it would shift every
                // later offset. Ratis's other failures after this point close the log, like a crash of the leader.
                if (term < 0 || entryBytes > logEntryBytesMax) {
                    projection.reset();
                } else {
                    projection.appended(term, index, stamped, replyOnAppend);
                }
            });
        } else {
            projection.reset();
        }
        return trx;
    }

    private long currentTerm() {
        DivisionInfo d = division;
        if (d == null) {
            RaftServer server = getServer().getNow(null);
            try {
                d = server == null ? null : server.getDivision(getGroupId()).getInfo();
            } catch (IOException e) {
                d = null;
            }
            if (d == null) {
                return -1;
            }
            logEntryBytesMax = RaftServerConfigKeys.Log.Appender.bufferByteLimit(server.getProperties()).getSizeInt();
            division = d;
        }
        return d.getCurrentTerm();
    }

    /**
     * acks=1 (DESIGN, the write path): the proposer of Raft call {@code callId} of {@code clientId} on this leader
     * wants the entry's reply as soon as the entry is in the leader's log, before it commits. Ask before proposing.
     * {@code reply} completes with the message apply will return, once it is known (at once when the look-ahead is
     * in step, else when apply catches up), or never, when the entry is not projected: the Raft reply comes as
     * usual either way, and an entry that never commits loses the write. It completes on a Ratis thread that may
     * hold the log's lock: its dependents must run on an executor. Call {@link #forgetReplyOnAppend} once the Raft
     * reply has come, for a call that never reached this state machine.
     */
    public void replyOnAppend(ClientId clientId, long callId, CompletableFuture<Message> reply) {
        repliesOnAppend.put(new Call(clientId, callId), reply);
    }

    public void forgetReplyOnAppend(ClientId clientId, long callId) {
        if (!repliesOnAppend.isEmpty()) {
            repliesOnAppend.remove(new Call(clientId, callId));
        }
    }

    /** How many applied outcomes differed from the leader's look-ahead (0 unless a bug; for tests). */
    public long projectionMismatches() {
        return projection.mismatches();
    }

    private static AppendBatches.Builder stamp(AppendBatches.Builder append, long nowMs) {
        return append.setAppendTimeMs(nowMs).setUnknownProducerStartsAtZero(true);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long term = entry.getTerm();
        long index = entry.getIndex();
        if (index <= storedAppliedIndex) {
            updateLastAppliedTermIndex(term, index);
            projection.applied(index, null);
            return CompletableFuture.completedFuture(reply(AppendReply.newBuilder()
                    .setErrorCode(KAFKA_STORAGE_ERROR).setErrorMessage("replayed entry").build()));
        }
        long applyStartNanos = System.nanoTime();
        Proposed proposed = trx.getStateMachineContext() instanceof Proposed p ? p : null;
        PartitionCommand cmd;
        try {
            cmd = proposed != null ? proposed.cmd
                    : PartitionCommand.parseFrom(RatisBytes.input(entry.getStateMachineLogEntry().getLogData()));
        } catch (IOException e) { // the entry does not parse
            updateLastAppliedTermIndex(term, index);
            projection.applied(index, null);
            return CompletableFuture.completedFuture(reply(error(CORRUPT_MESSAGE, "undecodable entry: " + e.getMessage())));
        }
        Message result;
        try {
            result = cmd.hasAppendMany() ? applyAppendMany(cmd.getAppendMany(), term, index)
                    : cmd.hasAppend() ? reply(applyAppends(List.of(cmd.getAppend()), term, index).get(0))
                    : cmd.hasOffsets() ? reply(applyOffsets(cmd.getOffsets(), term, index))
                    : cmd.hasTxnMarker() ? reply(applyMarker(cmd.getTxnMarker(), term, index))
                    : reply(error(CORRUPT_MESSAGE, "unknown partition command"));
        } catch (RocksDBException | IOException e) {
            // A storage failure leaves this replica unable to follow the log: fail the request loudly.
            LOG.error("{}: storage failure applying {}:{}", getId(), term, index, e);
            return CompletableFuture.failedFuture(e);
        }
        updateLastAppliedTermIndex(term, index);
        projection.applied(index, result);
        if (proposed != null && proposed.indexedNanos != 0 && (cmd.hasAppendMany() || cmd.hasAppend())) {
            long indexed = proposed.indexedNanos;
            events.entryApplied(indexed - proposed.startNanos, applyStartNanos - indexed,
                    System.nanoTime() - applyStartNanos);
        }
        return CompletableFuture.completedFuture(result);
    }

    /** Entries without a command (Ratis's own) are applied too; the look-ahead may be waiting for one. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        super.notifyTermIndexUpdated(term, index);
        projection.applied(index, null);
    }

    @Override
    public void notifyConfigurationChanged(long term, long index, RaftProtos.RaftConfigurationProto newConf) {
        projection.applied(index, null);
    }

    /** The look-ahead's decision: apply's, on the leader's copy of the log; null for commands that leave it alone. */
    static Message decide(PartitionLog log, PartitionCommand cmd) {
        if (cmd.hasAppendMany()) {
            AppendManyReply.Builder many = AppendManyReply.newBuilder();
            for (AppendBatches append : cmd.getAppendMany().getAppendsList()) {
                many.addReplies(decideAppend(log, append, null, 0));
            }
            return Message.valueOf(RatisBytes.of(many.build()));
        }
        if (cmd.hasTxnMarker()) {
            // A marker moves the log end (its control batch) and producer state: later entries depend on it.
            PartitionLog.MarkerOutcome outcome = decideMarker(log, cmd.getTxnMarker());
            return reply(markerReply(log, outcome));
        }
        return cmd.hasAppend() ? reply(decideAppend(log, cmd.getAppend(), null, 0)) : null;
    }

    private Message applyAppendMany(AppendMany many, long term, long index) throws RocksDBException, IOException {
        return Message.valueOf(RatisBytes.of(AppendManyReply.newBuilder()
                .addAllReplies(applyAppends(many.getAppendsList(), term, index)).build()));
    }

    /**
     * Applies produce requests in order, each decided as if it were an entry of its own (a rejected or
     * duplicate one leaves the others alone), and persists all of their effects in one write batch with this
     * entry's (term, index), so that a crash keeps all of the entry or none of it.
     */
    private List<AppendReply> applyAppends(List<AppendBatches> appends, long term, long index)
            throws RocksDBException, IOException {
        List<AppendReply> replies = new ArrayList<>(appends.size());
        List<PartitionStore.Write> writes = new ArrayList<>(appends.size());
        int leaderEpoch = (int) Math.min(term, Integer.MAX_VALUE);
        for (AppendBatches append : appends) {
            replies.add(decideAppend(log, append, writes, leaderEpoch));
        }
        storeLock.readLock().lock();
        try {
            store.writeAppends(writes, log, term, index);
        } finally {
            storeLock.readLock().unlock();
        }
        storedAppliedIndex = index;
        if (!writes.isEmpty()) {
            publishAppended();
        }
        return replies;
    }

    /** Publishes the log's new end to readers, and wakes those waiting for it (Fetch's long poll). */
    private void publishAppended() {
        maxTimestampAndOffset = new long[] {log.maxTimestamp(), log.maxTimestampOffset()};
        highWatermark = log.logEndOffset();
        lastStableOffset = log.lastStableOffset();
        nextAppend.getAndSet(new CompletableFuture<>()).complete(null);
    }

    /**
     * Ends a producer's transaction here (KIP-98's WriteTxnMarkers; the decisions are {@link PartitionLog}'s and,
     * for the offsets a transaction committed on a {@code __consumer_offsets} partition, {@link OffsetTable}'s).
     * Everything the marker changes is persisted in one write batch with this entry's (term, index).
     */
    private AppendReply applyMarker(TxnMarker marker, long term, long index) throws RocksDBException, IOException {
        PartitionLog.MarkerOutcome outcome = decideMarker(log, marker);
        if (outcome instanceof PartitionLog.Marked marked) {
            OffsetTable.Change change = offsets.planMarker(marker.getProducerId(), marker.getCommit());
            Invariants.check(change.error() == null, "marker's offsets change refused: %s", change.error());
            int leaderEpoch = (int) Math.min(term, Integer.MAX_VALUE);
            storeLock.readLock().lock();
            try {
                store.writeMarker(marked, leaderEpoch, change.puts(), change.deletes(), log, term, index);
            } finally {
                storeLock.readLock().unlock();
            }
            offsets.install(change);
            if (marked.aborted() != null) {
                abortedTxns.add(marked.aborted());
            }
            if (marked.placement() != null) {
                // read_committed readers can read further now: wake them as an append does.
                publishAppended();
            }
        } else {
            storeLock.readLock().lock();
            try {
                store.writeApplied(term, index);
            } finally {
                storeLock.readLock().unlock();
            }
        }
        storedAppliedIndex = index;
        return markerReply(log, outcome);
    }

    private static PartitionLog.MarkerOutcome decideMarker(PartitionLog log, TxnMarker m) {
        return log.endTransaction(m.getProducerId(), m.getProducerEpoch(), m.getCommit(), m.getCoordinatorEpoch(),
                m.getAppendTimeMs(), m.getTransactionNumber());
    }

    private static AppendReply markerReply(PartitionLog log, PartitionLog.MarkerOutcome outcome) {
        if (outcome instanceof PartitionLog.Rejected r) {
            return error(r.errorCode(), r.message());
        }
        long base = outcome instanceof PartitionLog.Marked m ? m.baseOffset() : -1; // Late: nothing here to end
        return AppendReply.newBuilder().setBaseOffset(base).setLogStartOffset(log.logStartOffset()).build();
    }

    /**
     * Decides one produce request against {@code log}, which it changes; adds what to store to {@code writes}
     * unless null (the leader's look-ahead stores nothing).
     */
    private static AppendReply decideAppend(PartitionLog log, AppendBatches append, List<PartitionStore.Write> writes,
                                            int leaderEpoch) {
        // The entry's own bytes, read-only: the store copies each batch once, with its offset and epoch.
        ByteBuffer batches = append.getBatches().asReadOnlyByteBuffer().slice();
        List<BatchHeader> headers;
        try {
            headers = BatchHeader.parseAll(batches);
        } catch (BatchHeader.MalformedBatchException e) {
            return error(CORRUPT_MESSAGE, e.getMessage());
        }
        PartitionLog.Outcome outcome = log.append(headers, append.getAppendTimeMs(),
                append.getUnknownProducerStartsAtZero());
        if (outcome instanceof PartitionLog.Rejected r) {
            return error(r.errorCode(), r.message());
        }
        if (outcome instanceof PartitionLog.Duplicated d) {
            return AppendReply.newBuilder().setBaseOffset(d.baseOffset())
                    .setLogStartOffset(log.logStartOffset()).setDuplicate(true).build();
        }
        PartitionLog.Appended a = (PartitionLog.Appended) outcome;
        if (writes != null) {
            writes.add(new PartitionStore.Write(a, batches, leaderEpoch));
        }
        return AppendReply.newBuilder().setBaseOffset(a.baseOffset()).setLogStartOffset(log.logStartOffset()).build();
    }

    /** Consumer-group state (DESIGN: consumer groups); the decisions are {@link OffsetTable}'s. */
    private AppendReply applyOffsets(OffsetsCommand command, long term, long index) throws RocksDBException {
        if (command.hasTxnOffsets()) {
            // A fenced producer's offsets: the coordinator aborted its transaction with a newer epoch, and that
            // abort's marker, applied here, recorded the epoch. Stored, they would be committed by the next
            // commit marker of the producer id, which belongs to the producer that fenced this one.
            io.rlog.proto.TxnOffsets t = command.getTxnOffsets();
            io.rlog.proto.ProducerEntry known = log.producers().get(t.getProducerId());
            if (known != null && t.getProducerEpoch() < known.getEpoch()) {
                return error(ProducerStateTable.INVALID_PRODUCER_EPOCH, "producer " + t.getProducerId() + " epoch "
                        + t.getProducerEpoch() + " is fenced by epoch " + known.getEpoch());
            }
        }
        OffsetTable.Change change = offsets.plan(command);
        if (change.error() != null) {
            return error(CORRUPT_MESSAGE, change.error());
        }
        storeLock.readLock().lock();
        try {
            store.writeEntries(change.puts(), change.deletes(), term, index);
        } finally {
            storeLock.readLock().unlock();
        }
        storedAppliedIndex = index;
        offsets.install(change);
        return AppendReply.getDefaultInstance();
    }

    /** The consumer-group state applied on this replica (a {@code __consumer_offsets} partition's). */
    public OffsetReader offsets() {
        return offsets;
    }

    private static AppendReply error(short code, String message) {
        return AppendReply.newBuilder().setErrorCode(code).setErrorMessage(message).setBaseOffset(-1).build();
    }

    private static Message reply(AppendReply r) {
        return Message.valueOf(RatisBytes.of(r));
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        projection.reset();
        Listeners.tell(LOG, "partition", () -> events.leaderChanged(groupMemberId.getGroupId(), newLeaderId));
        leadershipEvent.getAndSet(new CompletableFuture<>()).complete(null);
    }

    /** Ratis calls this once a new leader has applied its first entry of the term (after its ready flag is set). */
    @Override
    public void notifyLeaderReady() {
        leadershipEvent.getAndSet(new CompletableFuture<>()).complete(null);
    }

    /**
     * Completes at the next leader change seen by this replica, or when this replica, having become leader, is
     * ready to take writes. Take the future before looking at the division's state: a change after the look
     * then completes it. The future is shared: callers must not complete it (wait on a copy to add a timeout).
     */
    public CompletableFuture<Void> nextLeadershipEvent() {
        return leadershipEvent.get();
    }

    // ---------------------------------------------------------------------------------------------- reads

    public long highWatermark() {
        return highWatermark;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    /**
     * Completes at the next applied append, or transaction marker that wrote its control batch (after which
     * read_committed readers may read further).
     */
    public CompletableFuture<Void> nextAppend() {
        return nextAppend.get();
    }

    /**
     * The offset below which every transaction has ended: the first offset of the oldest open transaction, or the
     * high watermark when none is open. read_committed consumers read up to here.
     */
    public long lastStableOffset() {
        return lastStableOffset;
    }

    /**
     * Committed batches from the one holding {@code fetchOffset}; OFFSET_OUT_OF_RANGE outside the log. With
     * {@code readCommitted} the batches end at the last stable offset (from there up to the high watermark a read
     * returns nothing) and the result lists the aborted transactions they overlap (Kafka's FetchResponse rule:
     * those ending at or after {@code fetchOffset} and beginning before the offset after the last batch returned,
     * or before the last stable offset when none is).
     */
    public ReadResult read(long fetchOffset, int maxBytes, boolean readCommitted) {
        long lso = lastStableOffset; // before the high watermark: see lastStableOffset's field
        long hw = highWatermark;
        long start = logStartOffset;
        long end = readCommitted ? lso : hw;
        if (fetchOffset < start || fetchOffset > hw) {
            return new ReadResult((short) 1, hw, start, ByteBuffer.allocate(0), lso, List.of());
        }
        ByteBuffer records = ByteBuffer.allocate(0);
        if (fetchOffset < end) {
            storeLock.readLock().lock();
            try {
                if (store == null) {
                    return new ReadResult(KAFKA_STORAGE_ERROR, hw, start, ByteBuffer.allocate(0), lso, List.of());
                }
                records = store.read(fetchOffset, end, maxBytes);
            } catch (IOException e) {
                LOG.error("{}: reading batches from offset {} failed", getId(), fetchOffset, e);
                return new ReadResult(KAFKA_STORAGE_ERROR, hw, start, ByteBuffer.allocate(0), lso, List.of());
            } finally {
                storeLock.readLock().unlock();
            }
        }
        List<AbortedTxn> aborted = readCommitted
                ? abortedTxns.overlapping(fetchOffset, records.hasRemaining() ? endOfBatches(records) : lso)
                : List.of();
        return new ReadResult((short) 0, hw, start, records, lso, aborted);
    }

    /** The offset after the last of {@code records}' batches (whole batches, as the store returns them). */
    private static long endOfBatches(ByteBuffer records) {
        int pos = records.position();
        int last = pos;
        while (pos < records.limit()) {
            last = pos;
            pos += records.getInt(pos + BatchHeader.LENGTH_OFFSET) + BatchHeader.LEADER_EPOCH_OFFSET;
        }
        return records.getLong(last) + records.getInt(last + BatchHeader.LAST_OFFSET_DELTA_OFFSET) + 1;
    }

    /** Committed batches from the one holding {@code fetchOffset} (read_uncommitted); see the method above. */
    public ReadResult read(long fetchOffset, int maxBytes) {
        return read(fetchOffset, maxBytes, false);
    }

    /** The first offset whose batch has a max timestamp at least {@code timestamp}, or -1 when none. */
    public long offsetForTimestamp(long timestamp) {
        storeLock.readLock().lock();
        try {
            return store == null ? -1 : store.offsetForTimestamp(timestamp, highWatermark);
        } finally {
            storeLock.readLock().unlock();
        }
    }

    /** The (timestamp, offset) of the record with the largest timestamp among the committed ones. */
    public long[] maxTimestampAndOffset() {
        return maxTimestampAndOffset.clone();
    }

    /** Every key and value of the live store, for tests that compare replicas. */
    public java.util.Map<String, byte[]> dumpStore() {
        storeLock.readLock().lock();
        try {
            return store == null ? java.util.Map.of() : store.dump();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            storeLock.readLock().unlock();
        }
    }

    @Override
    public void close() throws IOException {
        closeStore();
        nextAppend.get().complete(null);
        leadershipEvent.get().complete(null);
        super.close();
    }
}
