package io.rlog.chaos.nemesis;

import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Recorder;
import io.rlog.chaos.history.RunInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nemesis's bookkeeping against a fake cluster: overlapping faults, heals, and healing everything. */
class NemesisTest {
    /** Records what the nemesis asked for. */
    static final class FakeCluster implements ClusterControl {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        volatile Set<Link> cut = Set.of();

        @Override public int nodes() { return 3; }
        @Override public void kill(int node) { calls.add("kill " + node); }
        @Override public void restart(int node) { calls.add("restart " + node); }
        @Override public void pause(int node) { calls.add("pause " + node); }
        @Override public void resume(int node) { calls.add("resume " + node); }
        @Override public void cut(Set<Link> links, CutStyle style) { cut = links; }
        @Override public OptionalInt leaderOf(int partition) { return OptionalInt.of(2); }
    }

    @Test
    void pauseThenKillTouchesTwoDifferentNodesAndHealAllUndoesEverything(@TempDir Path dir) throws Exception {
        FakeCluster c = new FakeCluster();
        try (Recorder rec = new Recorder(dir.resolve("h.jsonl"), new RunInfo("t", 1, "", Map.of()), System::nanoTime);
             Nemesis n = new Nemesis(c, rec, 42)) {
            n.start(Fault.parse("pause:one/stall@0+1000"));
            n.start(Fault.parse("kill:one/stall@0+1000"));
            n.start(Fault.parse("partition:isolate-leader/stall@0+1000"));
            assertEquals(Topologies.isolate(List.of(2), 3), c.cut, "the leader (2) is isolated");
            String paused = c.calls.get(0).split(" ")[1];
            String killed = c.calls.get(1).split(" ")[1];
            assertFalse(paused.equals(killed), c.calls.toString());
            n.healAll(5_000);
            assertTrue(c.calls.contains("resume " + paused), c.calls.toString());
            assertTrue(c.calls.contains("restart " + killed), c.calls.toString());
            assertEquals(Set.of(), c.cut);
            long nemesisOps = rec.snapshot(new RunInfo("t", 1, "", Map.of())).ops(Op.Nemesis.class).size();
            assertEquals(5, nemesisOps, "3 starts, 1 restart, 1 heal-all");
        }
    }

    @Test
    void healingOneCutKeepsTheOthers(@TempDir Path dir) throws Exception {
        FakeCluster c = new FakeCluster();
        try (Recorder rec = new Recorder(dir.resolve("h.jsonl"), new RunInfo("t", 1, "", Map.of()), System::nanoTime);
             Nemesis n = new Nemesis(c, rec, 42)) {
            Fault clients = Fault.parse("clients:leader/stall@0+1000");
            Fault oneWay = Fault.parse("partition:leader-cannot-send/reset@0+1000");
            n.start(clients);
            n.start(oneWay);
            assertTrue(c.cut.containsAll(Topologies.clientsFrom(2)));
            assertTrue(c.cut.containsAll(Topologies.oneWay(List.of(2), 3)));
            n.heal(clients);
            assertEquals(Topologies.oneWay(List.of(2), 3), c.cut);
        }
    }
}
