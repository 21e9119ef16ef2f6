package io.rlog.statemachine.partition;

import io.rlog.proto.AppendReply;
import org.apache.ratis.client.RaftClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The partition state machine under real Ratis servers and real RocksDB. */
class PartitionStateMachineTest {

    /** A restart replays the Raft log above the snapshot: nothing applied is lost and nothing applied twice. */
    @Test
    void restartLosesNothingAndAppliesNothingTwice(@TempDir Path dir) throws Exception {
        try (LocalRatis ratis = new LocalRatis(dir, 1, 70)) {
            try (RaftClient client = ratis.client()) {
                for (int i = 0; i < 200; i++) {
                    AppendReply r = LocalRatis.append(client, TestBatches.batch(5, (short) 0, i * 3, 3, i));
                    assertEquals(0, r.getErrorCode(), r.getErrorMessage());
                    assertEquals(i * 3L, r.getBaseOffset());
                }
                // A retried batch is recognised as a duplicate and answered with its original offset.
                AppendReply dup = LocalRatis.append(client, TestBatches.batch(5, (short) 0, 199 * 3, 3, 199));
                assertTrue(dup.getDuplicate());
                assertEquals(199 * 3L, dup.getBaseOffset());
            }
            Map<String, byte[]> before = ratis.machines[0].dumpStore();
            assertEquals(600, ratis.machines[0].highWatermark());
            ratis.stop(0);
            ratis.start(0);
            LocalRatis.await("restarted leader", 10_000, () -> {
                try {
                    return ratis.division(0).getInfo().isLeaderReady();
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(600, ratis.machines[0].highWatermark());
            assertStoresEqual(before, ratis.machines[0].dumpStore());
            try (RaftClient client = ratis.client()) {
                AppendReply r = LocalRatis.append(client, TestBatches.batch(5, (short) 0, 600, 2, 500));
                assertEquals(600, r.getBaseOffset());
                // The producer table survived the restart: a retry of the last pre-restart batch is a duplicate.
                assertTrue(LocalRatis.append(client, TestBatches.batch(5, (short) 0, 597, 3, 199)).getDuplicate());
            }
            PartitionStateMachine.ReadResult read = ratis.machines[0].read(0, Integer.MAX_VALUE);
            assertEquals(602, read.highWatermark());
            assertEquals(201, countBatches(read.records()));
        }
    }

    /**
     * Requests coalesced into one entry are decided one by one, as separate entries would be: a duplicate, an
     * out-of-order sequence or a corrupt batch fails only its own request. Every replica stores the same, and a
     * restart replays nothing twice.
     */
    @Test
    void coalescedRequestsAreDecidedOneByOne(@TempDir Path dir) throws Exception {
        try (LocalRatis ratis = new LocalRatis(dir, 3, 10_000)) {
            java.util.List<AppendReply> replies;
            try (RaftClient client = ratis.client()) {
                ByteBuffer corrupt = TestBatches.batch(8, (short) 0, 0, 2, 1);
                corrupt.put(BatchHeader.MAGIC_OFFSET, (byte) 1);
                replies = LocalRatis.appendMany(client,
                        TestBatches.batch(7, (short) 0, 0, 3, 10),    // offsets 0..2
                        TestBatches.batch(7, (short) 0, 0, 3, 10),    // its retry: a duplicate of 0
                        TestBatches.batch(7, (short) 0, 9, 1, 11),    // a sequence gap: refused
                        TestBatches.batch(7, (short) 0, 3, 2, 12),    // offsets 3..4
                        corrupt,                                      // not record batch v2: refused
                        TestBatches.batch(9, (short) 0, 0, 4, 13));   // another producer: offsets 5..8
            }
            assertEquals(6, replies.size());
            assertEquals(0, replies.get(0).getErrorCode(), replies.get(0).getErrorMessage());
            assertEquals(0, replies.get(0).getBaseOffset());
            assertTrue(replies.get(1).getDuplicate());
            assertEquals(0, replies.get(1).getBaseOffset());
            assertEquals(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER, (short) replies.get(2).getErrorCode());
            assertEquals(0, replies.get(3).getErrorCode(), replies.get(3).getErrorMessage());
            assertEquals(3, replies.get(3).getBaseOffset());
            assertEquals(PartitionStateMachine.CORRUPT_MESSAGE, (short) replies.get(4).getErrorCode());
            assertEquals(0, replies.get(5).getErrorCode(), replies.get(5).getErrorMessage());
            assertEquals(5, replies.get(5).getBaseOffset());

            LocalRatis.await("every replica applied the entry", 10_000,
                    () -> Arrays.stream(ratis.machines).allMatch(m -> m.highWatermark() == 9));
            Map<String, byte[]> leaderStore = ratis.machines[ratis.leaderIndex()].dumpStore();
            for (PartitionStateMachine m : ratis.machines) {
                assertStoresEqual(leaderStore, m.dumpStore());
            }
            assertEquals(3, countBatches(ratis.machines[0].read(0, Integer.MAX_VALUE).records()));

            int follower = (ratis.leaderIndex() + 1) % 3;
            Map<String, byte[]> before = ratis.machines[follower].dumpStore();
            ratis.stop(follower);
            ratis.start(follower);
            LocalRatis.await("restarted replica caught up", 10_000, () -> ratis.machines[follower].highWatermark() == 9);
            assertStoresEqual(before, ratis.machines[follower].dumpStore());
            try (RaftClient client = ratis.client()) {
                // The producer states of both producers survived in the one write: their next batches fit on.
                assertEquals(9, LocalRatis.append(client, TestBatches.batch(7, (short) 0, 5, 1, 14)).getBaseOffset());
                assertTrue(LocalRatis.append(client, TestBatches.batch(9, (short) 0, 0, 4, 13)).getDuplicate());
            }
        }
    }

    /**
     * Replies on append (acks=1) on a real Ratis leader: answered with apply's offsets; and an entry Ratis refuses
     * for its size after giving it its index is neither answered nor counted, so the next entry's offset is not
     * shifted by the records of one that never entered the log.
     */
    @Test
    void repliesOnAppendGiveApplysOffsetsAndSkipAnEntryRatisRefuses(@TempDir Path dir) throws Exception {
        try (LocalRatis ratis = new LocalRatis(dir, 1, 10_000)) {
            LocalRatis.await("a leader", 10_000, () -> {
                try {
                    return ratis.leaderIndex() == 0 && ratis.division(0).getInfo().isLeaderReady();
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            PartitionStateMachine sm = ratis.machines[0];
            AskedAppend first = AskedAppend.submit(ratis, 1, TestBatches.batch(-1, (short) -1, -1, 3, 1));
            assertEquals(0, first.replyOnAppend().get(10, java.util.concurrent.TimeUnit.SECONDS).getBaseOffset());
            assertEquals(0, first.raftReply().getBaseOffset());

            // Larger than Ratis's default appender buffer (4 MB): refused after it took its index. Ratis then has
            // the leader step down (a StateMachineException asks for it), asynchronously: the server elects itself
            // again in a later term, and only a leader of that term takes the next entry.
            long termBefore = ratis.division(0).getInfo().getCurrentTerm();
            AskedAppend huge = AskedAppend.submit(ratis, 2, TestBatches.batch(-1, (short) -1, -1, 600_000, 1));
            org.apache.ratis.protocol.RaftClientReply refused = huge.raftReplyFuture().get(10,
                    java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(!refused.isSuccess() && refused.getException()
                    instanceof org.apache.ratis.protocol.exceptions.StateMachineException, () -> "refused: " + refused);
            assertTrue(!huge.replyOnAppend().isDone(), "an entry that never entered the log is not answered");

            LocalRatis.await("a ready leader of a later term", 10_000, () -> {
                try {
                    var info = ratis.division(0).getInfo();
                    return info.getCurrentTerm() > termBefore && info.isLeaderReady();
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            AskedAppend next = AskedAppend.submit(ratis, 3, TestBatches.batch(-1, (short) -1, -1, 2, 1));
            assertEquals(3, next.raftReply().getBaseOffset(), "right after the first entry's 3 records");
            if (next.replyOnAppend().isDone()) {
                assertEquals(3, next.replyOnAppend().join().getBaseOffset());
            }
            assertEquals(5, sm.highWatermark());
            assertEquals(0, sm.projectionMismatches());
        }
    }

    /** One produce request proposed to server 0 the way the node's broker does, asking for its reply on append. */
    private record AskedAppend(java.util.concurrent.CompletableFuture<AppendReply> replyOnAppend,
                               java.util.concurrent.CompletableFuture<org.apache.ratis.protocol.RaftClientReply>
                                       raftReplyFuture) {
        static final org.apache.ratis.protocol.ClientId CLIENT = org.apache.ratis.protocol.ClientId.randomId();

        static AskedAppend submit(LocalRatis ratis, long callId, ByteBuffer batches) throws Exception {
            io.rlog.proto.PartitionCommand cmd = io.rlog.proto.PartitionCommand.newBuilder().setAppendMany(
                    io.rlog.proto.AppendMany.newBuilder().addAppends(io.rlog.proto.AppendBatches.newBuilder()
                            .setBatches(com.google.protobuf.ByteString.copyFrom(batches)))).build();
            java.util.concurrent.CompletableFuture<org.apache.ratis.protocol.Message> onAppend =
                    new java.util.concurrent.CompletableFuture<>();
            ratis.machines[0].replyOnAppend(CLIENT, callId, onAppend);
            org.apache.ratis.protocol.RaftClientRequest request = org.apache.ratis.protocol.RaftClientRequest
                    .newBuilder().setClientId(CLIENT).setServerId(ratis.servers[0].getId())
                    .setGroupId(ratis.group.getGroupId()).setCallId(callId)
                    .setMessage(org.apache.ratis.protocol.Message.valueOf(io.rlog.statemachine.RatisBytes.of(cmd)))
                    .setType(org.apache.ratis.protocol.RaftClientRequest.writeRequestType()).build();
            return new AskedAppend(onAppend.thenApply(AskedAppend::first),
                    ratis.servers[0].submitClientRequestAsync(request));
        }

        AppendReply raftReply() throws Exception {
            org.apache.ratis.protocol.RaftClientReply r = raftReplyFuture.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(r.isSuccess(), () -> "Raft reply: " + r.getException());
            return first(r.getMessage());
        }

        static AppendReply first(org.apache.ratis.protocol.Message m) {
            try {
                return io.rlog.proto.AppendManyReply.parseFrom(io.rlog.statemachine.RatisBytes.toBuffer(m.getContent()))
                        .getReplies(0);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** A follower down while the others purge their logs catches up by installing a snapshot. */
    /**
     * The future a produce request waits on while its new leader gets ready: it completes at a leader change seen
     * by a follower, and on the new leader no later than its ready flag, so "take the future, then look" never
     * waits for an event that already happened.
     */
    @Test
    void leadershipEventsWakeWaitersOnFollowersAndOnTheNewLeader(@TempDir Path dir) throws Exception {
        try (LocalRatis ratis = new LocalRatis(dir, 3, 10_000)) {
            LocalRatis.await("a ready leader", 10_000, () -> {
                try {
                    int l = ratis.leaderIndex();
                    return l >= 0 && ratis.division(l).getInfo().isLeaderReady();
                } catch (Exception e) {
                    return false;
                }
            });
            int oldLeader = ratis.leaderIndex();
            java.util.List<java.util.concurrent.CompletableFuture<Void>> waiting = new java.util.ArrayList<>();
            java.util.List<Integer> followers = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                if (i != oldLeader) {
                    followers.add(i);
                    waiting.add(ratis.machines[i].nextLeadershipEvent());
                }
            }
            waiting.forEach(f -> assertTrue(!f.isDone(), "nothing happened yet"));

            ratis.stop(oldLeader);

            for (java.util.concurrent.CompletableFuture<Void> f : waiting) {
                f.get(20, java.util.concurrent.TimeUnit.SECONDS); // both followers hear of the new leader
            }
            int[] newLeader = {-1};
            LocalRatis.await("a new ready leader", 20_000, () -> {
                for (int f : followers) { // not leaderIndex(): a closed server may still call itself leader
                    try {
                        if (ratis.division(f).getInfo().isLeader() && ratis.division(f).getInfo().isLeaderReady()) {
                            newLeader[0] = f;
                            return true;
                        }
                    } catch (Exception e) {
                        // not there yet
                    }
                }
                return false;
            });
            java.util.concurrent.CompletableFuture<Void> next = ratis.machines[newLeader[0]].nextLeadershipEvent();
            assertTrue(!next.isDone(), "no event after ready until the next change");
        }
    }

    @Test
    void laggingFollowerCatchesUpBySnapshotInstall(@TempDir Path dir) throws Exception {
        try (LocalRatis ratis = new LocalRatis(dir, 3, 50)) {
            LocalRatis.await("a leader", 10_000, () -> {
                try {
                    return ratis.leaderIndex() >= 0;
                } catch (Exception e) {
                    return false;
                }
            });
            int leader = ratis.leaderIndex();
            int lagger = (leader + 1) % 3;
            try (RaftClient client = ratis.client()) {
                LocalRatis.append(client, TestBatches.batch(-1, (short) -1, -1, 1, 1));
                ratis.stop(lagger);
                for (int i = 0; i < 400; i++) {
                    LocalRatis.append(client, TestBatches.batch(-1, (short) -1, -1, 100, i));
                }
            }
            int live = ratis.leaderIndex();
            LocalRatis.await("the leader purging its log", 20_000, () -> {
                try {
                    return ratis.division(live).getRaftLog().getStartIndex() > 10;
                } catch (Exception e) {
                    return false;
                }
            });
            ratis.start(lagger);
            LocalRatis.await("the follower catching up", 30_000, () -> ratis.machines[lagger].highWatermark() == 40_001);
            assertTrue(ratis.machines[lagger].getLatestSnapshot() != null, "caught up without a snapshot");
            Map<String, byte[]> expected = ratis.machines[live].dumpStore();
            LocalRatis.await("identical stores", 10_000,
                    () -> storesEqual(expected, ratis.machines[lagger].dumpStore()));
            PartitionStateMachine.ReadResult r = ratis.machines[lagger].read(1, Integer.MAX_VALUE);
            assertEquals(400, countBatches(r.records()));
        }
    }

    static int countBatches(ByteBuffer records) throws BatchHeader.MalformedBatchException {
        return records.remaining() == 0 ? 0 : BatchHeader.parseAll(records).size();
    }

    /** Replicas agree on every key except the applied (term, index), which counts configuration entries too. */
    static boolean storesEqual(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String k : a.keySet()) {
            if (!k.startsWith("6d6170706c696564") && !Arrays.equals(a.get(k), b.get(k))) {
                return false;
            }
        }
        return true;
    }

    static void assertStoresEqual(Map<String, byte[]> a, Map<String, byte[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), "key " + k);
        }
    }
}
