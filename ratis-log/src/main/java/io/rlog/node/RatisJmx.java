package io.rlog.node;

import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.RatisMetricRegistry;

import java.util.function.Consumer;

/**
 * Keeps Ratis's metrics out of JMX unless {@code raft.metrics.jmx.enabled} asks for them.
 *
 * <p>Ratis 3.3 gives every metric registry (several per Raft group: the log, the state machine, elections, the
 * server, one per follower on a leader) a JMX reporter when no other reporter was registered before the first
 * registry is made, so every metric becomes an MBean in the platform MBean server, registered and unregistered
 * under that server's one lock. A node hosting 1,000 partitions took 268 s to stop after SIGTERM: hundreds of
 * group-closing threads queued on that lock to unregister their MBeans (jstack). rlog reads none of these MBeans
 * ({@code /metrics} is its own), so the node registers a reporter that does nothing first, which Ratis takes as
 * "reporters chosen" and skips JMX. The metrics themselves still exist in memory.
 */
final class RatisJmx {
    private static final Consumer<RatisMetricRegistry> NONE = registry -> { };
    private static boolean decided;

    private RatisJmx() {}

    /**
     * Called before the node's Ratis server is built. Once per JVM (nodes in one JVM share Ratis's registries):
     * the first node's setting holds for all of them.
     */
    static synchronized void configure(boolean jmxEnabled) {
        if (decided) {
            return;
        }
        decided = true;
        if (!jmxEnabled) {
            MetricRegistries.global().addReporterRegistration(NONE, NONE);
        }
    }
}
