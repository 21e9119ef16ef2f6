package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MatrixTest {

    static Matrix.Dimensions dims(List<String> acks, List<String> fsync, List<Integer> rf, Fault fault) {
        return new Matrix.Dimensions(acks, fsync, rf, List.of(100, 1024), List.of(5), List.of(65536),
                List.of("none"), List.of(0), 6, 10, 0, 2, fault, fault == Fault.NONE ? 0 : 4, 3);
    }

    @Test
    void expandsTheCartesianProductGroupedByFsync() {
        List<CaseSpec> cases = Matrix.expand(dims(List.of("all", "1", "0"), List.of("always", "background"),
                List.of(1, 3), Fault.NONE));
        assertEquals(3 * 2 * 2 * 2, cases.size());
        // every "always" case comes before every "background" case: one rlog cluster per policy
        int lastAlways = -1;
        int firstBackground = Integer.MAX_VALUE;
        for (int i = 0; i < cases.size(); i++) {
            if (cases.get(i).fsync().equals("always")) {
                lastAlways = i;
            } else {
                firstBackground = Math.min(firstBackground, i);
            }
        }
        assertTrue(lastAlways < firstBackground);
        assertEquals(cases.size(), cases.stream().distinct().count(), "no case twice");
    }

    @Test
    void duplicateValuesDoNotDuplicateCases() {
        List<CaseSpec> cases = Matrix.expand(dims(List.of("all", "all"), List.of("always"), List.of(3, 3), Fault.NONE));
        assertEquals(2, cases.size()); // the two record sizes
    }

    @Test
    void headlineIsTheReferenceAcksAllClosedLoopCase() {
        List<CaseSpec> cases = Matrix.expand(dims(List.of("0", "all"), List.of("background", "always"),
                List.of(1, 3), Fault.NONE));
        List<CaseSpec> headlines = cases.stream().filter(CaseSpec::headline).toList();
        assertEquals(1, headlines.size());
        CaseSpec h = headlines.get(0);
        assertEquals("all", h.acks());
        assertEquals("always", h.fsync());
        assertEquals(3, h.rf());
        assertEquals(1024, h.recordSize());
        assertFalse(h.openLoop());
    }

    @Test
    void noHeadlineWithoutAnAcksAllClosedLoopCase() {
        List<CaseSpec> cases = Matrix.expand(dims(List.of("1"), List.of("always"), List.of(3), Fault.NONE));
        assertTrue(cases.stream().noneMatch(CaseSpec::headline));
    }

    @Test
    void quickMatrixCoversTheIssueGoalsWithFaultCasesLastInTheirGroup() {
        List<CaseSpec> quick = Matrix.quick(12, 2);
        assertEquals(4, quick.size());
        CaseSpec headline = quick.stream().filter(CaseSpec::headline).findFirst().orElseThrow();
        assertEquals("acks=all fsync=always rf=3 1024B closed", headline.label());
        assertEquals(5, headline.lingerMs());
        assertEquals(65536, headline.batchSize());
        assertEquals(6, headline.partitions());
        assertTrue(quick.stream().anyMatch(c -> c.targetRate() == 5000 && c.fault() == Fault.NONE));
        assertTrue(quick.stream().anyMatch(c -> c.fault() == Fault.KILL_LEADER));
        assertTrue(quick.stream().anyMatch(c -> c.acks().equals("1")));
        assertTrue(quick.stream().allMatch(c -> c.fsync().equals("always")), "one rlog cluster for the whole run");
        assertEquals(Fault.KILL_LEADER, quick.get(quick.size() - 1).fault());
    }

    @Test
    void kafkaRunsAreSharedByFsyncVariants() {
        CaseSpec a = Matrix.quick(12, 2).get(0);
        assertEquals(a.workloadKey(), a.withFsync("background").workloadKey());
        assertFalse(a.label().equals(a.withFsync("background").label()));
    }

    @Test
    void invalidCasesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Matrix.expand(dims(List.of("2"), List.of("always"),
                List.of(3), Fault.NONE)));
        assertThrows(IllegalArgumentException.class, () -> Matrix.expand(dims(List.of("all"), List.of("sometimes"),
                List.of(3), Fault.NONE)));
        assertThrows(IllegalArgumentException.class, () -> new Matrix.Dimensions(List.of(), List.of("always"),
                List.of(3), List.of(100), List.of(5), List.of(1), List.of("none"), List.of(0), 6, 10, 0, 2,
                Fault.NONE, 0, 0));
        // a fault after the end of the run
        assertThrows(IllegalArgumentException.class, () -> Matrix.expand(new Matrix.Dimensions(List.of("all"),
                List.of("always"), List.of(3), List.of(100), List.of(5), List.of(1), List.of("none"), List.of(0),
                6, 10, 0, 2, Fault.KILL_LEADER, 10, 0)));
        assertThrows(IllegalArgumentException.class, () -> Fault.parse("reboot"));
    }
}
