package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

    @Test
    void cpuTicksAreUtimePlusStimeEvenWithParenthesesInTheName() {
        String stat = "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 5000 0 0";
        assertEquals(325, ProcStats.parseCpuTicks(stat));
    }

    @Test
    void machineTicksSplitBusyFromIdleAndIowait() {
        ProcStats.MachineTicks t = ProcStats.parseMachineTicks("cpu  100 5 50 800 40 3 2 0 0 0");
        assertEquals(1000, t.total());
        assertEquals(160, t.busy());
    }

    @Test
    void ioStallIsTheFullTotalOfThePressureFile() {
        String pressure = "some avg10=3.49 avg60=21.14 avg300=14.82 total=507701477\n"
                + "full avg10=1.90 avg60=11.03 avg300=6.57 total=154249348\n";
        assertEquals(154249348L, ProcStats.parseIoFullStallMicros(pressure).getAsLong());
        assertTrue(ProcStats.parseIoFullStallMicros("some avg10=0.00 total=5\n").isEmpty(), "no full line");
    }

    @Test
    void unsyncedBytesAreDirtyPlusWriteback() {
        String meminfo = "MemTotal:       24683648 kB\nDirty:            688640 kB\nWriteback:          2560 kB\n"
                + "WritebackTmp:          7 kB\n";
        assertEquals((688640L + 2560) * 1024, ProcStats.parseUnsyncedBytes(meminfo).getAsLong());
        assertTrue(ProcStats.parseUnsyncedBytes("MemTotal: 1 kB\nDirty: 5 kB\n").isEmpty(), "no Writeback line");
    }

    @Test
    void readsThisProcess() {
        long pid = ProcessHandle.current().pid();
        assertTrue(ProcStats.rssKb(pid).orElse(1) > 0);
        assertTrue(ProcStats.cpuTicks(pid).orElse(0) >= 0);
        assertTrue(ProcStats.rssKb(Long.MAX_VALUE).isEmpty(), "no such process: no figure, no error");
    }

    /** This test JVM has compiled code by now (the test runner's own), with its compiler threads' CPU. */
    @Test
    void compilerTicksArePartOfTheProcesssCpu() {
        long pid = ProcessHandle.current().pid();
        long jit = ProcStats.compilerTicks(pid).orElseThrow();
        long all = ProcStats.cpuTicks(pid).orElseThrow();
        assertTrue(jit > 0, "no JIT compiler CPU found in a running JVM");
        assertTrue(jit <= all, jit + " of " + all);
        assertTrue(ProcStats.compilerTicks(Long.MAX_VALUE).isEmpty(), "no such process: no figure, no error");
    }
}
