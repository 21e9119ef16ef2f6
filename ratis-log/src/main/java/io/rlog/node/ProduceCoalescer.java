package io.rlog.node;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rlog.proto.AppendBatches;
import io.rlog.proto.AppendMany;
import io.rlog.proto.AppendManyReply;
import io.rlog.proto.AppendReply;
import io.rlog.proto.PartitionCommand;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * Group commit for produce requests. Per partition, at most {@code inflightEntriesMax} Raft entries are
 * outstanding; requests that arrive meanwhile wait, in arrival order, and go into the next entry together (up to
 * {@code entryBytesMax} of batches and framing). Every entry costs each replica about the same fixed work whatever its size (thread
 * handoffs, a log write and its fsync, an RPC per follower, an apply and a RocksDB write), so under load the
 * entries grow with the commit latency instead of their number growing with the request rate.
 *
 * <p>Order: one thread at a time submits a partition's entries (the "pump"), in the order the requests arrived,
 * so a producer's pipelined requests keep their order in the log. A request that timed out while waiting (its
 * client got REQUEST_TIMED_OUT, which in Kafka means "outcome unknown") is still proposed in its place: dropping
 * it let the request behind it, with the next sequence number of the same idempotent producer, be written first
 * when the partition did not know that producer yet (it then took any first sequence, as Kafka does; a stamped
 * entry now refuses a first sequence other than 0, see ProducerStateTable), and the
 * dropped one was written after it once the client retried it under a new epoch; the chaos checker's
 * nonmonotonic-send (partition-then-kill, seed 12). Kafka likewise appends a request before it considers the next
 * one on the connection. The waiting queue needs no bound of its own: the listener caps in-flight requests per
 * connection, and so the requests that can wait here.
 *
 * <p>A leader just elected takes no entry until it has applied the first of its term (Ratis refuses them). The
 * submitter's {@link Submitter#ready} gate holds a partition's entries, unsent and in order, until then, so that
 * early requests neither bounce to the client as NOT_LEADER_OR_FOLLOWER nor overtake each other: a wait per
 * request, outside this queue, let a request that came in after the leader was ready be written before earlier
 * ones still waiting (the chaos checker's nonmonotonic-send, pause-a-minority-then-kill).
 *
 * <p>acks=0 and 1: such a request is answered once its entry is in the leader's log, with the reply apply will
 * give it (the state machine's look-ahead, when it has one; else with the Raft reply). An entry of such requests
 * only stops counting against {@code inflightEntriesMax} then, so the next one can follow it into the log before
 * it commits; {@code uncommittedEntriesMax} bounds how many of a partition's entries are in the log uncommitted,
 * and requests wait behind it as they do behind the in-flight bound.
 */
final class ProduceCoalescer {

    /** Proposes one entry to the partition's Raft group; completes with the Raft reply. */
    interface Submitter {
        CompletableFuture<RaftClientReply> submit(RaftGroupId group, PartitionCommand command) throws IOException;

        /**
         * Like {@link #submit(RaftGroupId, PartitionCommand)}, and completes {@code onAppend} with the entry's
         * reply once it is in the leader's log, if that can be known before it commits (else leaves it alone).
         */
        default CompletableFuture<RaftClientReply> submit(RaftGroupId group, PartitionCommand command,
                                                          CompletableFuture<Message> onAppend) throws IOException {
            return submit(group, command);
        }

        /**
         * Completed when the group can take an entry now; otherwise completes when that may have changed (for
         * a leader just elected: once it is ready). Entries wait for it in order, unsent.
         */
        default CompletableFuture<Void> ready(RaftGroupId group) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private record Waiting(ByteBuffer batches, boolean replyOnAppend, long queuedNanos,
                           CompletableFuture<AppendReply> reply) {}

    /** One partition's queue. Guarded by its own monitor. */
    private static final class Lane {
        final RaftGroupId group;
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        /** Entries proposed whose requests are not all answered yet. */
        int inflight;
        /** Entries proposed and not committed (no Raft reply yet). */
        int uncommitted;
        boolean pumping;
        boolean again;
        /** Removed from the map: appenders must take a fresh lane. */
        boolean closed;

        Lane(RaftGroupId group) {
            this.group = group;
        }
    }

    /** An upper bound on what one request adds to an entry besides its batches (protobuf tags and lengths). */
    static final int REQUEST_FRAMING_BYTES = 32;

    private final Submitter submitter;
    private final int inflightEntriesMax;
    private final int uncommittedEntriesMax;
    private final int entryBytesMax;
    /** Told how long each request waited in its queue before its entry was proposed, in nanoseconds. */
    private final LongConsumer queueWaitNanos;
    private final ConcurrentHashMap<RaftGroupId, Lane> lanes = new ConcurrentHashMap<>();

    ProduceCoalescer(Submitter submitter, int inflightEntriesMax, int entryBytesMax) {
        this(submitter, inflightEntriesMax, inflightEntriesMax, entryBytesMax);
    }

    ProduceCoalescer(Submitter submitter, int inflightEntriesMax, int uncommittedEntriesMax, int entryBytesMax) {
        this(submitter, inflightEntriesMax, uncommittedEntriesMax, entryBytesMax, nanos -> { });
    }

    ProduceCoalescer(Submitter submitter, int inflightEntriesMax, int uncommittedEntriesMax, int entryBytesMax,
                     LongConsumer queueWaitNanos) {
        if (inflightEntriesMax < 1 || entryBytesMax < 1) {
            throw new IllegalArgumentException("produce.inflight.entries.max and produce.entry.bytes.max must be"
                    + " positive, not " + inflightEntriesMax + " and " + entryBytesMax);
        }
        if (uncommittedEntriesMax < inflightEntriesMax) {
            throw new IllegalArgumentException("produce.uncommitted.entries.max must be at least"
                    + " produce.inflight.entries.max (" + inflightEntriesMax + "), not " + uncommittedEntriesMax);
        }
        this.submitter = submitter;
        this.inflightEntriesMax = inflightEntriesMax;
        this.uncommittedEntriesMax = uncommittedEntriesMax;
        this.entryBytesMax = entryBytesMax;
        this.queueWaitNanos = queueWaitNanos;
    }

    /**
     * Queues one produce request's batches for the partition's group. Completes with this request's own reply,
     * or exceptionally with the Raft failure of the entry that carried it.
     */
    CompletableFuture<AppendReply> append(RaftGroupId group, ByteBuffer batches) {
        return append(group, batches, false);
    }

    /**
     * As {@link #append(RaftGroupId, ByteBuffer)}; with {@code replyOnAppend} (acks=0 and 1) the reply may come as
     * soon as the entry is in the leader's log, before it commits.
     */
    CompletableFuture<AppendReply> append(RaftGroupId group, ByteBuffer batches, boolean replyOnAppend) {
        Waiting w = new Waiting(batches, replyOnAppend, System.nanoTime(), new CompletableFuture<>());
        while (true) {
            Lane lane = lanes.computeIfAbsent(group, Lane::new);
            synchronized (lane) {
                if (lane.closed) {
                    continue;
                }
                lane.waiting.add(w);
            }
            pump(lane);
            return w.reply;
        }
    }

    /** Partitions with requests waiting or entries outstanding (for tests and metrics). */
    int activeLanes() {
        return lanes.size();
    }

    private void pump(Lane lane) {
        synchronized (lane) {
            if (lane.pumping) {
                lane.again = true;
                return;
            }
            lane.pumping = true;
        }
        while (true) {
            List<Waiting> entry = null;
            CompletableFuture<Void> gate = null;
            synchronized (lane) {
                boolean room = lane.inflight < inflightEntriesMax && lane.uncommitted < uncommittedEntriesMax;
                if (room && !lane.waiting.isEmpty()) {
                    CompletableFuture<Void> ready = submitter.ready(lane.group);
                    if (!ready.isDone()) {
                        // Nothing is sent until the group is ready; the pump resumes then, in order.
                        lane.again = false;
                        lane.pumping = false;
                        gate = ready;
                    }
                }
                if (gate == null) {
                    entry = room ? take(lane) : null;
                    if (entry == null) {
                        if (lane.again) {
                            lane.again = false;
                            continue;
                        }
                        lane.pumping = false;
                        if (lane.uncommitted == 0 && lane.waiting.isEmpty()) {
                            lane.closed = true;
                            lanes.remove(lane.group, lane);
                        }
                        return;
                    }
                    lane.inflight++;
                    lane.uncommitted++;
                }
            }
            if (gate != null) {
                gate.whenComplete((ignored, error) -> pump(lane)); // outside the lock: it may run right here
                return;
            }
            send(lane, entry);
        }
    }

    /**
     * The next entry's requests: the oldest one, then more while they fit; null when none waits. Requests whose
     * caller stopped waiting are taken too (see the class comment): their replies are simply not used.
     */
    private List<Waiting> take(Lane lane) {
        List<Waiting> entry = new ArrayList<>();
        long bytes = 0;
        while (!lane.waiting.isEmpty()) {
            Waiting w = lane.waiting.peek();
            int size = w.batches.remaining() + REQUEST_FRAMING_BYTES;
            if (!entry.isEmpty() && bytes + size > entryBytesMax) {
                break;
            }
            lane.waiting.poll();
            entry.add(w);
            bytes += size;
        }
        return entry.isEmpty() ? null : entry;
    }

    private void send(Lane lane, List<Waiting> entry) {
        AppendMany.Builder many = AppendMany.newBuilder();
        long now = System.nanoTime();
        for (Waiting w : entry) {
            queueWaitNanos.accept(now - w.queuedNanos);
            many.addAppends(AppendBatches.newBuilder()
                    // Wraps the request's buffer (nothing writes to it once decoded): the entry's serialization is
                    // the only copy.
                    .setBatches(com.google.protobuf.UnsafeByteOperations.unsafeWrap(w.batches.duplicate())));
        }
        // The entry's in-flight slot is given back once, at whichever comes first: the reply on append when every
        // request took it, or the Raft reply.
        AtomicBoolean slotBack = new AtomicBoolean();
        CompletableFuture<Message> onAppend = null;
        if (entry.stream().anyMatch(Waiting::replyOnAppend)) {
            boolean all = entry.stream().allMatch(Waiting::replyOnAppend);
            onAppend = new CompletableFuture<>();
            // Completed under Ratis's log lock: the replies (and the next entry) go from another thread.
            onAppend.thenAcceptAsync(m -> {
                if (completeOnAppend(entry, m) && all && slotBack.compareAndSet(false, true)) {
                    synchronized (lane) {
                        lane.inflight--;
                    }
                    pump(lane);
                }
            });
        }
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = submitter.submit(lane.group, PartitionCommand.newBuilder().setAppendMany(many).build(), onAppend);
        } catch (IOException | RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, t) -> {
            complete(entry, r, t);
            boolean slot = slotBack.compareAndSet(false, true);
            synchronized (lane) {
                if (slot) {
                    lane.inflight--;
                }
                lane.uncommitted--;
            }
            pump(lane);
        });
    }

    /** Answers the requests that asked for it from the reply on append; false if that reply does not fit the entry. */
    private static boolean completeOnAppend(List<Waiting> entry, Message m) {
        List<AppendReply> replies;
        try {
            replies = AppendManyReply.parseFrom(RatisBytes.toBuffer(m.getContent())).getRepliesList();
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
        if (replies.size() != entry.size()) {
            return false;
        }
        for (int i = 0; i < entry.size(); i++) {
            if (entry.get(i).replyOnAppend()) {
                entry.get(i).reply.complete(replies.get(i));
            }
        }
        return true;
    }

    private static void complete(List<Waiting> entry, RaftClientReply r, Throwable t) {
        Throwable failure = t != null ? t : r.isSuccess() ? null
                : r.getException() != null ? r.getException() : new IOException("unsuccessful Raft reply");
        if (failure == null) {
            try {
                List<AppendReply> replies = AppendManyReply.parseFrom(RatisBytes.toBuffer(r.getMessage().getContent()))
                        .getRepliesList();
                if (replies.size() == entry.size()) {
                    for (int i = 0; i < entry.size(); i++) {
                        entry.get(i).reply.complete(replies.get(i));
                    }
                    return;
                }
                failure = new IOException("entry of " + entry.size() + " requests got " + replies.size() + " replies");
            } catch (InvalidProtocolBufferException e) {
                failure = e;
            }
        }
        for (Waiting w : entry) {
            w.reply.completeExceptionally(failure);
        }
    }
}
