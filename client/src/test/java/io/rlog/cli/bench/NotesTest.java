package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NotesTest {
    @Test
    void anOpenLoopWhoseBatchesDoNotFillNamesTheLingerFloor() {
        List<CaseSpec> quick = Matrix.quick(12, 2);
        String note = Notes.lingerFloor(quick).orElseThrow();
        // 5,000 records/s for 5 ms: at most 25 records of 1 KiB in a batch, less than 64 KiB.
        assertTrue(note.contains("at most 25 records"), note);
        assertTrue(note.contains("below about 4.95 ms"), note);
    }

    @Test
    void closedLoopsAndBatchesThatFillHaveNoFloor() {
        CaseSpec headline = Matrix.quick(12, 2).get(0);
        assertTrue(Notes.lingerFloor(List.of(headline)).isEmpty(), "closed loop");
        CaseSpec full = new CaseSpec("all", "always", 3, 16_384, 5, 65_536, "none", 6, 5_000, 12, 0, 2,
                Fault.NONE, 0, 0, false);
        assertEquals(java.util.Optional.empty(), Notes.lingerFloor(List.of(full)), "25 records of 16 KiB fill 64 KiB");
    }
}
