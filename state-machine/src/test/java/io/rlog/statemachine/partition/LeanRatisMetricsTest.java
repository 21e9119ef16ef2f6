package io.rlog.statemachine.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.statemachine.LeanRatisMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ratis's metrics go to rlog's lean registries: shared by reference count, timers and counters that count. */
class LeanRatisMetricsTest {
    private static final MetricRegistryInfo INFO = new MetricRegistryInfo("s9@group-test", "ratis", "log_worker",
            "test");

    @Test
    void aRegistryIsSharedUntilItsLastUserRemovesIt() {
        LeanRatisMetrics m = new LeanRatisMetrics();
        List<RatisMetricRegistry> created = new ArrayList<>();
        List<RatisMetricRegistry> removed = new ArrayList<>();
        m.addReporterRegistration(created::add, removed::add);
        RatisMetricRegistry a = m.create(INFO);
        RatisMetricRegistry b = m.create(INFO);
        assertSame(a, b);
        assertEquals(List.of(a), created, "reporters see a registry once, when it is made");
        assertFalse(m.remove(INFO), "one user left");
        assertSame(a, m.get(INFO).orElseThrow());
        assertTrue(m.remove(INFO), "the last user removed it");
        assertTrue(m.get(INFO).isEmpty());
        assertEquals(List.of(a), removed);
        assertNotSame(a, m.create(INFO), "made anew after its removal");
        assertThrows(UnsupportedOperationException.class, m::enableJmxReporter);
    }

    @Test
    void timersAndCountersCount() {
        RatisMetricRegistry r = new LeanRatisMetrics().create(INFO);
        Timekeeper.Context c = r.timer("flush").time();
        long elapsed = c.stop();
        r.timer("flush").time().stop();
        LeanRatisMetrics.Timer t = (LeanRatisMetrics.Timer) r.timer("flush");
        assertEquals(2, t.count());
        assertTrue(t.totalNanos() >= elapsed);
        r.counter("entries").inc(5);
        r.counter("entries").dec();
        assertEquals(4, r.counter("entries").getCount());
        r.gauge("size", () -> () -> 7);
        assertEquals(java.util.Set.of("flush", "entries", "size"), ((LeanRatisMetrics.Registry) r).names());
    }

    /** The service loader finds rlog's registries; real Ratis servers time their work in them and remove them. */
    @Test
    void realRatisServersUseThemAndRemoveThemWhenClosed(@TempDir Path dir) throws Exception {
        assertInstanceOf(LeanRatisMetrics.class, MetricRegistries.global());
        String group;
        try (LocalRatis ratis = new LocalRatis(dir, 3, 10_000)) {
            group = ratis.group.getGroupId().toString();
            try (RaftClient client = ratis.client()) {
                for (int i = 0; i < 5; i++) {
                    LocalRatis.append(client, TestBatches.batch(-1, (short) -1, -1, 2, 1));
                }
            }
            String id = group.substring(group.length() - 12);
            long timed = 0;
            for (RatisMetricRegistry r : MetricRegistries.global().getMetricRegistries()) {
                if (!r.getMetricRegistryInfo().getPrefix().contains(id)) {
                    continue;
                }
                LeanRatisMetrics.Registry lean = (LeanRatisMetrics.Registry) r;
                for (String name : lean.names()) {
                    if (lean.metric(name) instanceof LeanRatisMetrics.Timer t) {
                        timed += t.count();
                    }
                }
            }
            assertTrue(timed > 0, "Ratis timed its work on this group's registries");
        }
        String id = group.substring(group.length() - 12);
        assertTrue(MetricRegistries.global().getMetricRegistryInfos().stream()
                .noneMatch(i -> i.getPrefix().contains(id)), () -> "left after close: "
                + MetricRegistries.global().getMetricRegistryInfos());
    }
}
