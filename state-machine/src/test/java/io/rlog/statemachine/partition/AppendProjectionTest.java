package io.rlog.statemachine.partition;

import com.google.protobuf.ByteString;
import io.rlog.proto.AppendBatches;
import io.rlog.proto.AppendManyReply;
import io.rlog.proto.AppendMany;
import io.rlog.proto.PartitionCommand;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.protocol.Message;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The look-ahead's steps one at a time (AppendProjectionProperties checks them over generated histories). */
class AppendProjectionTest {

    private final PartitionLog applied = new PartitionLog();
    private final AppendProjection projection = new AppendProjection(PartitionStateMachine::decide, applied);

    @Test
    void theFirstAskWaitsForApplyToReachTheEntryBeforeItThenRepliesComeAtOnce() throws Exception {
        // Entries 1 and 2 are of an earlier leader (unknown here); this leader's first asks at index 3.
        PartitionCommand earlier1 = records(4);
        PartitionCommand earlier2 = records(1);
        CompletableFuture<Message> first = new CompletableFuture<>();
        projection.appended(2, 3, records(3), first);
        assertFalse(first.isDone(), "entries before it are not applied yet");

        apply(0, null);
        apply(1, earlier1);
        assertFalse(first.isDone());
        apply(2, earlier2);
        assertEquals(5, baseOffset(first), "after the 5 records of the earlier entries");
        assertTrue(projection.inStep());

        CompletableFuture<Message> second = new CompletableFuture<>();
        projection.appended(2, 4, records(2), second);
        assertEquals(8, baseOffset(second), "in step: at once, after the 3 records of entry 3");
        apply(3, records(3));
        apply(4, records(2));
        assertEquals(0, projection.mismatches());
        assertEquals(10, applied.logEndOffset());
    }

    @Test
    void aNewTermStartsAgain() throws Exception {
        apply(0, null);
        projection.appended(1, 1, records(1), new CompletableFuture<>());
        assertTrue(projection.inStep());
        CompletableFuture<Message> later = new CompletableFuture<>();
        projection.appended(3, 5, records(1), later);
        assertFalse(projection.inStep(), "entries 2 to 4 were another leader's");
        assertFalse(later.isDone());
    }

    /** The check can fail: an apply that decides differently from the projection is counted and starts it again. */
    @Test
    void anApplyThatDiffersIsCountedAndTheLookAheadStartsAgain() {
        apply(0, null);
        projection.appended(1, 1, records(2), new CompletableFuture<>());
        assertTrue(projection.inStep());
        applied.append(java.util.List.of(TestBatches.header(-1, (short) -1, -1, 7)), 0); // a decision it never saw
        apply(1, records(2));
        assertEquals(1, projection.mismatches());
        assertFalse(projection.inStep());
    }

    private void apply(long index, PartitionCommand command) {
        projection.applied(index, command == null ? null : PartitionStateMachine.decide(applied, command));
    }

    private static PartitionCommand records(int n) {
        return PartitionCommand.newBuilder().setAppendMany(AppendMany.newBuilder().addAppends(AppendBatches.newBuilder()
                .setBatches(ByteString.copyFrom(TestBatches.batch(-1, (short) -1, -1, n, 5))).setAppendTimeMs(1)
                .setUnknownProducerStartsAtZero(true))).build();
    }

    private static long baseOffset(CompletableFuture<Message> reply) throws Exception {
        assertTrue(reply.isDone(), "answered");
        return AppendManyReply.parseFrom(RatisBytes.toBuffer(reply.get().getContent())).getReplies(0).getBaseOffset();
    }
}
