package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LossAccountTest {

    @Test
    void nothingLostWhenEveryAcknowledgedRecordIsRead() {
        LossAccount a = new LossAccount();
        for (long s = 0; s < 100; s++) {
            a.acked(s);
            a.read(s);
        }
        LossAccount.Loss l = a.result();
        assertEquals(100, l.acked());
        assertEquals(100, l.readUnique());
        assertEquals(0, l.lost());
        assertEquals(0, l.duplicates());
        assertEquals(0, l.presentNotAcked());
    }

    @Test
    void countsLostDuplicatedAndIndeterminateRecordsExactly() {
        LossAccount a = new LossAccount();
        for (long s = 0; s < 10; s++) {
            a.acked(s);
        }
        a.failed(10); // failed, yet written: indeterminate
        a.failed(11); // failed and absent
        for (long s : new long[] {0, 1, 2, 2, 2, 5, 6, 7, 8, 10, 12}) {
            a.read(s);
        }
        a.foreign();
        LossAccount.Loss l = a.result();
        assertEquals(10, l.acked());
        assertEquals(2, l.failed());
        assertEquals(11, l.readRecords());
        assertEquals(9, l.readUnique());
        assertEquals(List.of(3L, 4L, 9L), l.lostExamples());
        assertEquals(3, l.lost());
        assertEquals(2, l.duplicates());
        assertEquals(2, l.presentNotAcked()); // 10 and 12
        assertEquals(1, l.failedButPresent());
        assertEquals(1, l.foreign());
    }

    @Test
    void listsOnlyTheFirstFewLostSequences() {
        LossAccount a = new LossAccount();
        for (long s = 0; s < 50; s++) {
            a.acked(s);
        }
        LossAccount.Loss l = a.result();
        assertEquals(50, l.lost());
        assertEquals(LossAccount.EXAMPLES_MAX, l.lostExamples().size());
    }

    /** lost = |acked \ read| and duplicates = reads - |distinct reads|, for any history. */
    @Property(tries = 200)
    void lossAndDuplicatesMatchSetArithmetic(@ForAll @Size(max = 200) List<@IntRange(max = 300) Integer> acked,
                                             @ForAll @Size(max = 300) List<@IntRange(max = 300) Integer> read) {
        LossAccount a = new LossAccount();
        acked.forEach(s -> a.acked(s));
        read.forEach(s -> a.read(s));
        LossAccount.Loss l = a.result();
        java.util.Set<Integer> ackedSet = new java.util.HashSet<>(acked);
        java.util.Set<Integer> readSet = new java.util.HashSet<>(read);
        java.util.Set<Integer> lost = new java.util.HashSet<>(ackedSet);
        lost.removeAll(readSet);
        assertEquals(lost.size(), l.lost());
        assertEquals(read.size() - readSet.size(), l.duplicates());
        assertEquals(ackedSet.size(), l.acked());
    }
}
