package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {

    /** Records what the injector asks of the cluster. */
    static final class FakeTarget implements Target {
        final List<String> calls = new ArrayList<>();

        @Override public String system() { return "fake"; }
        @Override public String bootstrapServers() { return "127.0.0.1:1"; }
        @Override public List<Integer> nodes() { return List.of(1, 2, 3); }
        @Override public Map<Integer, Long> pids() { return Map.of(); }
        @Override public void kill(int node) { calls.add("kill " + node); }
        @Override public void pause(int node) { calls.add("pause " + node); }
        @Override public void resume(int node) { calls.add("resume " + node); }
        @Override public void restart(List<Integer> nodes) { calls.add("restart " + nodes); }
        @Override public Map<String, String> topicConfigs(int rf) { return Map.of(); }
        @Override public Map<String, String> settings() { return Map.of(); }
        @Override public void close() { }
    }

    @Test
    void killAllKillsEveryNodeThenRestartsThemTogetherAndRecordsTheTimeline() {
        FakeTarget target = new FakeTarget();
        CaseSpec spec = new CaseSpec("all", "always", 3, 100, 5, 1000, "none", 1, 100, 3, 0, 0, Fault.KILL_ALL, 1, 0,
                false);
        long origin = System.nanoTime();
        Timeline timeline = new Timeline(origin);
        AckGaps gaps = new AckGaps(origin);
        gaps.ack(0, origin, origin);
        new FaultInjector(target, null, "t", spec, timeline, gaps).run(); // kill-all needs no leader lookup
        assertEquals(List.of("kill 1", "kill 2", "kill 3", "restart [1, 2, 3]"), target.calls);
        List<Timeline.Event> events = timeline.events();
        assertEquals(3, events.size());
        assertTrue(events.get(0).what().startsWith("fault: SIGKILL every node"));
        assertTrue(events.get(0).atS() >= 1.0, "injected at its time, not before");
        assertTrue(events.get(2).what().startsWith("healed"));
        // The injector marked both moments: an ack now spans them.
        gaps.ack(0, System.nanoTime(), origin); // sent before the fault, waiting all along
        assertTrue(gaps.longest().faultGapMs() >= 1000, "the gap across the fault counts from before it");
        assertTrue(Double.isFinite(gaps.longest().healGapMs()));
    }
}
