package io.rlog.statemachine.partition;

import com.google.protobuf.ByteString;
import io.rlog.proto.AppendBatches;
import io.rlog.proto.AppendMany;
import io.rlog.proto.OffsetsCommand;
import io.rlog.proto.PartitionCommand;
import io.rlog.proto.TxnMarker;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.ratis.protocol.Message;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader's look-ahead against the apply it predicts, over generated histories: a leader appends entries (some
 * asking for their reply on append) while apply trails behind by a varying distance, leaders change with entries
 * of earlier terms still unapplied, and Ratis adds entries of its own. Apply here is the state machine's own
 * decision on a log of its own, entry by entry in log order, as on a replica.
 *
 * <p>Checked: every entry that asked, in a term that did not end before it was applied, has its reply by the time
 * it is applied, and that reply is exactly apply's; once in step, a reply comes at once; nothing ever mismatches.
 */
class AppendProjectionProperties {

    /**
     * One step. kind 0-5: the leader appends a produce entry (producer {@code producer}, 0 for none, 2 writes in
     * transactions; {@code seq} picks next, retry of the last or a gap, or, 9, a transaction marker for the
     * producer instead, which moves the log end when its transaction is open); 6: Ratis appends an entry of its own; 7-8: apply catches up by
     * {@code apply} entries; 9: the leadership changes: another leader appends {@code apply} entries of its own,
     * then this one is leader again in a later term.
     */
    record Step(int kind, int producer, int seq, int records, int apply, boolean ask) {}

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(1, 4), Arbitraries.integers().between(0, 6),
                Arbitraries.of(true, false)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(120);
    }

    /** A log entry: a command, or null for one of Ratis's own. */
    private record Entry(PartitionCommand command, CompletableFuture<Message> reply, long term) {}

    @Property(tries = 400)
    void repliesOnAppendAreApplysReplies(@ForAll("histories") List<Step> steps) {
        PartitionLog applied = new PartitionLog();
        AppendProjection projection = new AppendProjection(PartitionStateMachine::decide, applied);
        List<Entry> log = new ArrayList<>();
        Map<Integer, Integer> nextSeq = new HashMap<>();
        Map<Integer, Integer> lastSeq = new HashMap<>();
        long[] term = {1};
        long[] termOfReset = {1};
        int[] appliedCount = {0};
        int answeredAtOnce = 0;
        log.add(new Entry(null, null, 1)); // index 0: the group's first configuration
        for (Step s : steps) {
            switch (s.kind()) {
                case 0, 1, 2, 3, 4, 5 -> {
                    PartitionCommand cmd = command(s, nextSeq, lastSeq);
                    CompletableFuture<Message> reply = s.ask() ? new CompletableFuture<>() : null;
                    boolean inStep = projection.inStep();
                    projection.appended(term[0], log.size(), cmd, reply);
                    log.add(new Entry(cmd, reply, term[0]));
                    if (reply != null && inStep && cmd.hasAppendMany()) {
                        assertTrue(reply.isDone(), "a look-ahead in step answers at once");
                        answeredAtOnce++;
                    }
                }
                case 6 -> log.add(new Entry(null, null, term[0]));
                case 7, 8 -> applyUpTo(Math.min(log.size(), appliedCount[0] + s.apply()), log, appliedCount,
                        applied, projection, termOfReset[0]);
                default -> {
                    // Deposed: another leader's entries follow, which this node's look-ahead never sees.
                    projection.reset();
                    term[0]++;
                    for (int i = 0; i < s.apply(); i++) {
                        log.add(new Entry(command(s, nextSeq, lastSeq), null, term[0]));
                    }
                    // Elected again in a later term; its first entry is Ratis's own.
                    term[0]++;
                    projection.reset();
                    termOfReset[0] = term[0];
                    log.add(new Entry(null, null, term[0]));
                }
            }
        }
        applyUpTo(log.size(), log, appliedCount, applied, projection, termOfReset[0]);
        assertEquals(0, projection.mismatches());
        net.jqwik.api.statistics.Statistics.label("answered at once").collect(answeredAtOnce > 0);
        net.jqwik.api.statistics.Statistics.label("answered at once")
                .coverage(c -> c.check(true).percentage(p -> p >= 10));
    }

    private static void applyUpTo(int end, List<Entry> log, int[] appliedCount, PartitionLog applied,
                                  AppendProjection projection, long currentTermStart) {
        while (appliedCount[0] < end) {
            int index = appliedCount[0];
            Entry e = log.get(index);
            if (e.command() == null) {
                projection.applied(index, null);
            } else {
                Message outcome = PartitionStateMachine.decide(applied, e.command());
                if (e.reply() != null && e.term() >= currentTermStart && outcome != null) {
                    assertTrue(e.reply().isDone(), "entry " + index + " asked and is applied unanswered");
                    assertEquals(outcome.getContent(), e.reply().join().getContent(), "entry " + index);
                } else if (e.reply() != null && e.reply().isDone() && outcome != null) {
                    // Asked in an earlier term: an answer, if one came, must still be apply's.
                    assertEquals(outcome.getContent(), e.reply().join().getContent(), "entry " + index);
                }
                projection.applied(index, outcome);
            }
            appliedCount[0]++;
        }
    }

    private static PartitionCommand command(Step s, Map<Integer, Integer> nextSeq, Map<Integer, Integer> lastSeq) {
        if (s.producer() == 0 && s.seq() == 9) {
            return PartitionCommand.newBuilder().setOffsets(OffsetsCommand.getDefaultInstance()).build();
        }
        if (s.seq() == 9) {
            return PartitionCommand.newBuilder().setTxnMarker(TxnMarker.newBuilder().setProducerId(s.producer())
                    .setProducerEpoch(0).setCommit(s.records() % 2 == 0).setCoordinatorEpoch(1).setAppendTimeMs(7))
                    .build();
        }
        List<AppendBatches> appends = new ArrayList<>();
        for (int r = 0; r < (s.seq() % 3 == 0 ? 2 : 1); r++) {
            java.nio.ByteBuffer batch;
            if (s.producer() == 0) {
                batch = TestBatches.batch(-1, (short) -1, -1, s.records(), 5);
            } else {
                int next = nextSeq.getOrDefault(s.producer(), 0);
                int seq = s.seq() <= 5 ? next : s.seq() <= 7 ? lastSeq.getOrDefault(s.producer(), 0) : next + 3;
                batch = s.producer() == 2 ? TestBatches.txnBatch(s.producer(), (short) 0, seq, s.records(), 5)
                        : TestBatches.batch(s.producer(), (short) 0, seq, s.records(), 5);
                lastSeq.put(s.producer(), seq);
                nextSeq.put(s.producer(), Math.max(next, seq + s.records()));
            }
            appends.add(AppendBatches.newBuilder().setBatches(ByteString.copyFrom(batch))
                    .setAppendTimeMs(7).setUnknownProducerStartsAtZero(true).build());
        }
        return PartitionCommand.newBuilder().setAppendMany(AppendMany.newBuilder().addAllAppends(appends)).build();
    }
}
