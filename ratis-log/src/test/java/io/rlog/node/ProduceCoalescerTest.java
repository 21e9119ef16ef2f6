package io.rlog.node;

import io.rlog.proto.AppendBatches;
import io.rlog.proto.AppendManyReply;
import io.rlog.proto.AppendReply;
import io.rlog.proto.PartitionCommand;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coalescer alone, with a recording submitter in place of Ratis (a unit test of one class); the real path
 * is covered by the cluster tests, which all produce through it.
 */
class ProduceCoalescerTest {

    private static final RaftGroupId GROUP = RaftGroupId.randomId();
    private static final RaftGroupId OTHER = RaftGroupId.randomId();

    /** Entries proposed so far, with the future the test completes to answer each. */
    private record Proposed(RaftGroupId group, PartitionCommand command, CompletableFuture<RaftClientReply> reply) {}

    private final ConcurrentLinkedQueue<Proposed> proposed = new ConcurrentLinkedQueue<>();

    private ProduceCoalescer coalescer(int inflight, int bytes) {
        return new ProduceCoalescer((g, c) -> {
            CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
            proposed.add(new Proposed(g, c, f));
            return f;
        }, inflight, bytes);
    }

    /**
     * A leader not yet ready: entries wait unsent behind the gate, and once it opens they go out in arrival order,
     * with requests that came in after the gate opened behind the earlier ones (pause-a-minority-then-kill found
     * the later ones written first when each request waited on its own).
     */
    @Test
    void entriesWaitForTheGateAndLeaveInArrivalOrder() {
        CompletableFuture<Void>[] gate = new CompletableFuture[] {new CompletableFuture<Void>()};
        ProduceCoalescer c = new ProduceCoalescer(new ProduceCoalescer.Submitter() {
            @Override
            public CompletableFuture<RaftClientReply> submit(RaftGroupId g, PartitionCommand cmd) {
                CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
                proposed.add(new Proposed(g, cmd, f));
                return f;
            }

            @Override
            public CompletableFuture<Void> ready(RaftGroupId g) {
                return gate[0];
            }
        }, 2, 300);
        List<CompletableFuture<AppendReply>> replies = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            replies.add(c.append(GROUP, request(i, 100)));
        }
        assertTrue(proposed.isEmpty(), "nothing goes to a leader that is not ready");

        CompletableFuture<Void> opening = gate[0];
        gate[0] = CompletableFuture.completedFuture(null);
        replies.add(c.append(GROUP, request(5, 100))); // arrives once the leader is ready, before the wake-up
        assertEquals(List.of(1, 2), tags(proposed.peek().command()), "the oldest requests go first");
        opening.complete(null);

        List<Integer> order = new ArrayList<>();
        long offset = 0;
        while (order.size() < 5) {
            Proposed p = proposed.poll();
            assertTrue(p != null, "entries keep coming until every request is proposed: " + order);
            order.addAll(tags(p.command()));
            answer(p, offset);
            offset += p.command().getAppendMany().getAppendsCount();
        }
        assertEquals(List.of(1, 2, 3, 4, 5), order);
        for (int i = 0; i < replies.size(); i++) {
            assertEquals(i, replies.get(i).join().getBaseOffset());
        }
        assertEquals(0, c.activeLanes());
    }

    @Test
    void requestsWaitingBehindAnEntryGoTogetherIntoTheNextInArrivalOrder() {
        ProduceCoalescer c = coalescer(1, 1 << 20);
        CompletableFuture<AppendReply> first = c.append(GROUP, request(1, 100));
        List<CompletableFuture<AppendReply>> waiting = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            waiting.add(c.append(GROUP, request(i, 100)));
        }
        assertEquals(1, proposed.size(), "one entry outstanding at a time");
        Proposed e1 = proposed.poll();
        assertEquals(List.of(1), tags(e1.command()));

        answer(e1, 0);
        assertEquals(0, first.join().getBaseOffset());
        Proposed e2 = proposed.poll();
        assertEquals(List.of(2, 3, 4, 5), tags(e2.command()));
        assertTrue(waiting.stream().noneMatch(CompletableFuture::isDone));
        answer(e2, 10);
        for (int i = 0; i < waiting.size(); i++) {
            assertEquals(10 + i, waiting.get(i).join().getBaseOffset(), "each request gets its own reply");
        }
        assertTrue(proposed.isEmpty());
        assertEquals(0, c.activeLanes(), "an idle partition keeps no state");
    }

    @Test
    void anEntryStopsAtTheByteLimitButAlwaysTakesOneRequest() {
        ProduceCoalescer c = coalescer(1, 300);
        c.append(GROUP, request(1, 10));
        c.append(GROUP, request(2, 100));
        c.append(GROUP, request(3, 100));
        c.append(GROUP, request(4, 100));
        c.append(GROUP, request(5, 400));
        answer(proposed.poll(), 0);
        assertEquals(List.of(2, 3), tags(proposed.peek().command()), "two 100-byte requests and their framing fit in 300, a third does not");
        answer(proposed.poll(), 0);
        assertEquals(List.of(4), tags(proposed.peek().command()));
        answer(proposed.poll(), 0);
        assertEquals(List.of(5), tags(proposed.peek().command()), "larger than the limit, alone");
    }

    @Test
    void partitionsDoNotWaitForEachOther() {
        ProduceCoalescer c = coalescer(1, 1 << 20);
        c.append(GROUP, request(1, 10));
        c.append(OTHER, request(2, 10));
        assertEquals(2, proposed.size());
        assertEquals(List.of(GROUP, OTHER), proposed.stream().map(Proposed::group).toList());
    }

    @Test
    void upToTheInflightLimitEntriesArePipelined() {
        ProduceCoalescer c = coalescer(2, 1 << 20);
        for (int i = 1; i <= 4; i++) {
            c.append(GROUP, request(i, 10));
        }
        assertEquals(2, proposed.size());
        Proposed e1 = proposed.poll();
        Proposed e2 = proposed.poll();
        assertEquals(List.of(1), tags(e1.command()));
        assertEquals(List.of(2), tags(e2.command()));
        answer(e2, 5);
        assertEquals(List.of(3, 4), tags(proposed.poll().command()));
    }

    @Test
    void aFailedEntryFailsEveryRequestInItAndTheNextEntryStillGoes() {
        ProduceCoalescer c = coalescer(1, 1 << 20);
        c.append(GROUP, request(1, 10));
        CompletableFuture<AppendReply> a = c.append(GROUP, request(2, 10));
        CompletableFuture<AppendReply> b = c.append(GROUP, request(3, 10));
        answer(proposed.poll(), 0);
        Proposed e2 = proposed.poll();
        NotLeaderException notLeader = new NotLeaderException(
                RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), GROUP), null, List.of());
        e2.reply().complete(RaftClientReply.newBuilder().setClientId(ClientId.randomId())
                .setServerId(RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), GROUP)).setCallId(1)
                .setException(notLeader).build());
        for (CompletableFuture<AppendReply> f : List.of(a, b)) {
            CompletionException e = assertThrows(CompletionException.class, f::join);
            assertInstanceOf(NotLeaderException.class, e.getCause());
        }
        CompletableFuture<AppendReply> next = c.append(GROUP, request(4, 10));
        answer(proposed.poll(), 7);
        assertEquals(7, next.join().getBaseOffset());
    }

    @Test
    void aSubmitThatThrowsFailsItsRequestsWithoutWedgingThePartition() {
        int[] calls = {0};
        ProduceCoalescer c = new ProduceCoalescer((g, cmd) -> {
            if (calls[0]++ == 0) {
                throw new java.io.IOException("division closed");
            }
            CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
            proposed.add(new Proposed(g, cmd, f));
            return f;
        }, 1, 1 << 20);
        CompletableFuture<AppendReply> failed = c.append(GROUP, request(1, 10));
        assertInstanceOf(java.io.IOException.class, assertThrows(CompletionException.class, failed::join).getCause());
        CompletableFuture<AppendReply> ok = c.append(GROUP, request(2, 10));
        answer(proposed.poll(), 3);
        assertEquals(3, ok.join().getBaseOffset());
    }

    /**
     * A request whose caller gave up while it waited is still proposed, in its place: skipping it let the next
     * request of the same idempotent producer be written before it (the chaos checker's nonmonotonic-send).
     */
    @Test
    void aRequestThatTimedOutWhileWaitingIsStillProposedInOrder() {
        ProduceCoalescer c = coalescer(1, 1 << 20);
        c.append(GROUP, request(1, 10));
        CompletableFuture<AppendReply> late = c.append(GROUP, request(2, 10));
        CompletableFuture<AppendReply> next = c.append(GROUP, request(3, 10));
        late.completeExceptionally(new java.util.concurrent.TimeoutException());
        answer(proposed.poll(), 0);
        Proposed second = proposed.poll();
        assertEquals(List.of(2, 3), tags(second.command()));
        answer(second, 1);
        assertEquals(2, next.join().getBaseOffset(), "the request behind it gets its own reply");
        assertTrue(late.isCompletedExceptionally(), "the caller that gave up keeps its timeout");
    }

    /** Many threads producing to one partition: every request is proposed exactly once, in a per-thread order. */
    @Test
    void concurrentProducersLoseNothingAndKeepTheirOrder() throws Exception {
        ProduceCoalescer c = new ProduceCoalescer((g, cmd) -> {
            CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
            proposed.add(new Proposed(g, cmd, f));
            // Answer on another thread, as Ratis does.
            CompletableFuture.runAsync(() -> answerQuietly(f, cmd));
            return f;
        }, 2, 1 << 20);
        int threads = 4;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<AppendReply>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            int thread = t;
            pool.execute(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    futures.add(c.append(GROUP, request(thread * 100_000 + i, 10)));
                }
            });
        }
        start.countDown();
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        List<Integer> order = new ArrayList<>();
        proposed.forEach(p -> order.addAll(tags(p.command())));
        assertEquals(threads * perThread, order.size(), "each request proposed exactly once");
        assertEquals(threads * perThread, new java.util.HashSet<>(order).size());
        for (int t = 0; t < threads; t++) {
            int thread = t;
            List<Integer> mine = order.stream().filter(x -> x / 100_000 == thread).toList();
            for (int i = 0; i < mine.size(); i++) {
                assertEquals(thread * 100_000 + i, mine.get(i), "thread " + thread + "'s requests in its order");
            }
        }
        assertTrue(proposed.size() < threads * perThread, "some requests shared an entry: " + proposed.size());
    }

    /**
     * acks=0 and 1: an entry whose requests all asked for the reply on append answers them from it and frees its
     * in-flight slot, so the next entry follows it into the log; the uncommitted bound then holds the one after. A
     * request of an entry that did not ask (acks=all) waits for the Raft reply even when others in it asked.
     */
    @Test
    void repliesOnAppendAnswerTheirRequestsAndLetTheNextEntryGoUpToTheUncommittedBound() throws Exception {
        List<CompletableFuture<Message>> onAppend = new ArrayList<>();
        ProduceCoalescer c = new ProduceCoalescer(new ProduceCoalescer.Submitter() {
            @Override
            public CompletableFuture<RaftClientReply> submit(RaftGroupId g, PartitionCommand cmd) {
                throw new AssertionError("the coalescer passes its reply on append");
            }

            @Override
            public CompletableFuture<RaftClientReply> submit(RaftGroupId g, PartitionCommand cmd,
                                                             CompletableFuture<Message> appended) {
                CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
                proposed.add(new Proposed(g, cmd, f));
                onAppend.add(appended);
                return f;
            }
        }, 1, 2, 1 << 20);
        CompletableFuture<AppendReply> r1 = c.append(GROUP, request(1, 10), true);
        CompletableFuture<AppendReply> r2 = c.append(GROUP, request(2, 10), true);
        assertEquals(1, proposed.size(), "one entry in flight");
        Proposed e1 = proposed.poll();
        onAppend.get(0).complete(replyMessage(1, 0));
        assertEquals(0, r1.get(10, TimeUnit.SECONDS).getBaseOffset(), "answered on append");
        InJvmCluster.await("the next entry proposed", 10_000, () -> proposed.size() == 1);
        Proposed e2 = proposed.poll();
        assertEquals(List.of(2), tags(e2.command()));

        CompletableFuture<AppendReply> r3 = c.append(GROUP, request(3, 10), true);
        CompletableFuture<AppendReply> r4 = c.append(GROUP, request(4, 10), false);
        onAppend.get(1).complete(replyMessage(1, 1));
        assertEquals(1, r2.get(10, TimeUnit.SECONDS).getBaseOffset());
        // The slot comes back after the reply, on the common pool: let that finish before looking.
        assertTrue(java.util.concurrent.ForkJoinPool.commonPool().awaitQuiescence(10, TimeUnit.SECONDS));
        assertTrue(proposed.isEmpty(), "two entries uncommitted: the third waits");
        answer(e1, 0);
        InJvmCluster.await("the third entry proposed once the first committed", 10_000, () -> proposed.size() == 1);
        Proposed e3 = proposed.poll();
        assertEquals(List.of(3, 4), tags(e3.command()));
        onAppend.get(2).complete(replyMessage(2, 2));
        assertEquals(2, r3.get(10, TimeUnit.SECONDS).getBaseOffset());
        assertFalse(r4.isDone(), "acks=all waits for the Raft reply");
        answer(e2, 1);
        answer(e3, 2);
        assertEquals(3, r4.get(10, TimeUnit.SECONDS).getBaseOffset());
        InJvmCluster.await("the partition idle", 10_000, () -> c.activeLanes() == 0);
    }

    @Test
    void theUncommittedBoundIsAtLeastTheInflightOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ProduceCoalescer((g, cmd) -> new CompletableFuture<>(), 4, 2, 1 << 20));
        assertTrue(e.getMessage().contains("produce.uncommitted.entries.max"), e.getMessage());
    }

    private static Message replyMessage(int requests, long firstOffset) {
        AppendManyReply.Builder r = AppendManyReply.newBuilder();
        for (int i = 0; i < requests; i++) {
            r.addReplies(AppendReply.newBuilder().setBaseOffset(firstOffset + i));
        }
        return Message.valueOf(RatisBytes.of(r.build()));
    }

    // ----------------------------------------------------------------------------------------------------------

    /** A request whose bytes are its tag (4 bytes) padded to {@code size}. */
    private static ByteBuffer request(int tag, int size) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(4, size));
        b.putInt(0, tag);
        return b;
    }

    private static List<Integer> tags(PartitionCommand cmd) {
        List<Integer> tags = new ArrayList<>();
        for (AppendBatches a : cmd.getAppendMany().getAppendsList()) {
            tags.add(a.getBatches().asReadOnlyByteBuffer().getInt(0));
        }
        return tags;
    }

    /** Answers an entry as the state machine would: request i at base offset {@code firstOffset + i}. */
    private static void answer(Proposed p, long firstOffset) {
        AppendManyReply.Builder r = AppendManyReply.newBuilder();
        for (int i = 0; i < p.command().getAppendMany().getAppendsCount(); i++) {
            r.addReplies(AppendReply.newBuilder().setBaseOffset(firstOffset + i));
        }
        p.reply().complete(RaftClientReply.newBuilder().setClientId(ClientId.randomId())
                .setServerId(RaftGroupMemberId.valueOf(RaftPeerId.valueOf("n1"), p.group())).setCallId(1)
                .setSuccess().setMessage(Message.valueOf(RatisBytes.of(r.build()))).build());
    }

    private static void answerQuietly(CompletableFuture<RaftClientReply> f, PartitionCommand cmd) {
        answer(new Proposed(GROUP, cmd, f), 0);
    }
}
