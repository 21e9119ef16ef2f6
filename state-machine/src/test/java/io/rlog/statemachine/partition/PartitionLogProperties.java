package io.rlog.statemachine.partition;

import io.rlog.proto.BatchMark;
import io.rlog.proto.ProducerEntry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offset assignment and Kafka's idempotence rules, checked against a simple model over generated histories of
 * sends, retries, gaps and epoch bumps.
 */
class PartitionLogProperties {

    /** Non-idempotent batches get contiguous offsets and the log end is the number of records. */
    @Property
    void offsetsAreContiguous(@ForAll @Size(min = 1, max = 60) List<@IntRange(min = 1, max = 50) Integer> sizes) {
        PartitionLog log = new PartitionLog();
        long expected = 0;
        for (int n : sizes) {
            PartitionLog.Outcome o = log.append(List.of(TestBatches.header(-1, (short) -1, -1, n)), 0);
            PartitionLog.Appended a = assertInstanceOf(PartitionLog.Appended.class, o);
            assertEquals(expected, a.baseOffset());
            assertEquals(expected + n - 1, a.lastOffset());
            expected += n;
            assertEquals(expected, log.logEndOffset());
        }
    }

    /** One step of a producer's history: a new batch, a retry of one of its recent batches, or a gap. */
    record Step(int kind, int back, int records) {}

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, 9), Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(1, 5)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(80);
    }

    /**
     * An idempotent producer's retries of any of its last five batches return the original offsets and append
     * nothing; an older retry or a gap is OUT_OF_ORDER_SEQUENCE_NUMBER; an epoch bump restarts at 0 and
     * fences the older epoch; the log holds each accepted batch once, in order.
     */
    @Property(tries = 500)
    void idempotenceMatchesModel(@ForAll("histories") List<Step> steps) {
        PartitionLog log = new PartitionLog();
        long pid = 7;
        short epoch = 0;
        int nextSeq = 0;
        long logEnd = 0;
        // The model: batches of the current epoch by first sequence → (last sequence, base offset), in order.
        List<int[]> sent = new ArrayList<>();
        Map<Integer, Long> offsetBySeq = new HashMap<>();
        for (Step s : steps) {
            if (s.kind() <= 5 || sent.isEmpty()) {
                PartitionLog.Outcome o = log.append(List.of(TestBatches.header(pid, epoch, nextSeq, s.records())), 0);
                PartitionLog.Appended a = assertInstanceOf(PartitionLog.Appended.class, o);
                assertEquals(logEnd, a.baseOffset());
                sent.add(new int[] {nextSeq, nextSeq + s.records() - 1});
                offsetBySeq.put(nextSeq, logEnd);
                logEnd += s.records();
                nextSeq += s.records();
            } else if (s.kind() <= 7) {
                int back = Math.min(s.back(), sent.size() - 1);
                int[] old = sent.get(sent.size() - 1 - back);
                PartitionLog.Outcome o = log.append(List.of(TestBatches.header(pid, epoch, old[0], old[1] - old[0] + 1)), 0);
                if (back < ProducerStateTable.WINDOW) {
                    PartitionLog.Duplicated d = assertInstanceOf(PartitionLog.Duplicated.class, o);
                    assertEquals(offsetBySeq.get(old[0]), d.baseOffset());
                } else {
                    PartitionLog.Rejected r = assertInstanceOf(PartitionLog.Rejected.class, o);
                    assertEquals(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER, r.errorCode());
                }
            } else if (s.kind() == 8) {
                PartitionLog.Outcome o = log.append(List.of(TestBatches.header(pid, epoch, nextSeq + 1 + s.back(), 1)), 0);
                assertEquals(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER,
                        assertInstanceOf(PartitionLog.Rejected.class, o).errorCode());
            } else {
                short older = epoch;
                epoch++;
                PartitionLog.Outcome bad = log.append(List.of(TestBatches.header(pid, epoch, 1 + s.back(), 1)), 0);
                assertInstanceOf(PartitionLog.Rejected.class, bad);
                nextSeq = 0;
                sent.clear();
                offsetBySeq.clear();
                PartitionLog.Outcome o = log.append(List.of(TestBatches.header(pid, epoch, 0, s.records())), 0);
                assertEquals(logEnd, assertInstanceOf(PartitionLog.Appended.class, o).baseOffset());
                sent.add(new int[] {0, s.records() - 1});
                offsetBySeq.put(0, logEnd);
                logEnd += s.records();
                nextSeq = s.records();
                PartitionLog.Outcome fenced = log.append(List.of(TestBatches.header(pid, older, 0, 1)), 0);
                assertEquals(ProducerStateTable.INVALID_PRODUCER_EPOCH,
                        assertInstanceOf(PartitionLog.Rejected.class, fenced).errorCode());
            }
            assertEquals(logEnd, log.logEndOffset());
            assertTrue(log.producers().get(pid).getBatchesCount() <= ProducerStateTable.WINDOW);
        }
    }

    /** Sequences wrap from Integer.MAX_VALUE to 0 (KIP-98). */
    @Property(tries = 50)
    void sequenceWraps(@ForAll @IntRange(min = 1, max = 5) int records) {
        PartitionLog log = new PartitionLog();
        int first = Integer.MAX_VALUE - records + 1;
        log.producers().restore(3, ProducerEntry.newBuilder().setEpoch(0).addBatches(BatchMark.newBuilder()
                .setFirstSequence(first - 1).setLastSequence(first - 1).setBaseOffset(0).setLastOffset(0)).build());
        assertInstanceOf(PartitionLog.Appended.class, log.append(List.of(TestBatches.header(3, (short) 0, first, records)), 0));
        assertInstanceOf(PartitionLog.Appended.class, log.append(List.of(TestBatches.header(3, (short) 0, 0, 2)), 0));
    }

    /**
     * A producer with nothing in the partition must start at sequence 0, in any epoch. The case a chaos run found:
     * its first batches fail or are still being retried when a later one arrives. The later one is refused with
     * OUT_OF_ORDER_SEQUENCE_NUMBER and leaves no trace; retried after the earlier ones, it lands after them.
     */
    @Property(tries = 200)
    void aProducerTheLogDoesNotKnowStartsAtZero(@ForAll @IntRange(min = 1, max = 5) int earlier,
                                                @ForAll @IntRange(min = 0, max = 5) int between,
                                                @ForAll @IntRange(min = 1, max = 5) int later,
                                                @ForAll @IntRange(min = 0, max = 3) short epoch) {
        PartitionLog log = new PartitionLog();
        long pid = 11;
        int laterSeq = earlier + between;

        PartitionLog.Rejected ahead = assertInstanceOf(PartitionLog.Rejected.class,
                log.append(List.of(TestBatches.header(pid, epoch, laterSeq, later)), 0));
        assertEquals(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER, ahead.errorCode());
        assertEquals(0, log.logEndOffset());
        assertEquals(null, log.producers().get(pid), "a refused first batch leaves the producer unknown");

        PartitionLog.Appended first = assertInstanceOf(PartitionLog.Appended.class,
                log.append(List.of(TestBatches.header(pid, epoch, 0, earlier)), 0));
        assertEquals(0, first.baseOffset());
        if (between > 0) {
            assertInstanceOf(PartitionLog.Appended.class,
                    log.append(List.of(TestBatches.header(pid, epoch, earlier, between)), 0));
        }
        PartitionLog.Appended retried = assertInstanceOf(PartitionLog.Appended.class,
                log.append(List.of(TestBatches.header(pid, epoch, laterSeq, later)), 0));
        assertEquals(laterSeq, retried.baseOffset(), "the later batch follows every earlier one");
    }

    /**
     * An entry proposed before that rule existed (its leader did not stamp it) is applied as it was then: the
     * unknown producer's later batch is taken where it is, so a replica replaying the old entry agrees with the
     * replicas that applied it first. The producer is known from then on, and stamped entries follow it.
     */
    @Property(tries = 100)
    void entriesFromBeforeTheRuleKeepTheOldOne(@ForAll @IntRange(min = 1, max = 1000) int firstSeq,
                                               @ForAll @IntRange(min = 1, max = 5) int records) {
        PartitionLog log = new PartitionLog();
        PartitionLog.Appended old = assertInstanceOf(PartitionLog.Appended.class,
                log.append(List.of(TestBatches.header(12, (short) 0, firstSeq, records)), 0, false));
        assertEquals(0, old.baseOffset());
        PartitionLog.Appended next = assertInstanceOf(PartitionLog.Appended.class,
                log.append(List.of(TestBatches.header(12, (short) 0, firstSeq + records, 1)), 0, true));
        assertEquals(records, next.baseOffset());
        assertEquals(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER, assertInstanceOf(PartitionLog.Rejected.class,
                log.append(List.of(TestBatches.header(13, (short) 0, firstSeq, 1)), 0, true)).errorCode());
    }

    /** A rejected request leaves no trace: the producer's state is as before it. */
    @Property(tries = 100)
    void rejectionRollsBack(@ForAll @IntRange(min = 1, max = 5) int records) {
        PartitionLog log = new PartitionLog();
        log.append(List.of(TestBatches.header(9, (short) 0, 0, records)), 0);
        var before = log.producers().get(9);
        PartitionLog.Outcome o = log.append(List.of(TestBatches.header(9, (short) 0, records, 1),
                TestBatches.header(9, (short) 0, records + 5, 1)), 0);
        assertInstanceOf(PartitionLog.Rejected.class, o);
        assertEquals(before, log.producers().get(9));
        assertEquals(records, log.logEndOffset());
    }
}
