package io.rlog.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ratis's metrics stay out of JMX by default. Whether Ratis reports to JMX is decided once per JVM, when its first
 * metric registry is made, so each case runs a real node in a JVM of its own ({@link Probe}) and counts the
 * MBeans Ratis's JMX reporter registered there: none by default, some with {@code raft.metrics.jmx.enabled=true}
 * (which shows the count can fail).
 */
class RatisJmxTest {

    @Test
    void aNodeRegistersNoRatisMetricMBeansByDefault(@TempDir Path dir) throws Exception {
        assertEquals(0, ratisMetricMBeans(dir, "false"));
    }

    @Test
    void theSettingBringsRatisJmxReportingBack(@TempDir Path dir) throws Exception {
        long count = ratisMetricMBeans(dir, "true");
        assertTrue(count > 10, "Ratis's own JMX reporting registers its metrics: " + count);
    }

    private static long ratisMetricMBeans(Path dir, String jmxEnabled) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2", Probe.class.getName(),
                dir.toString(), jmxEnabled)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe did not exit:\n" + out);
        assertEquals(0, p.exitValue(), out);
        List<String> counts = out.lines().filter(l -> l.startsWith(Probe.PREFIX)).toList();
        assertEquals(1, counts.size(), out);
        return Long.parseLong(counts.get(0).substring(Probe.PREFIX.length()));
    }

    /** Starts one real node (its metadata group makes Ratis's registries), prints the count, stops the node. */
    public static final class Probe {
        static final String PREFIX = "ratis-metric-mbeans=";

        public static void main(String[] args) throws Exception {
            try (InJvmCluster cluster = new InJvmCluster(Path.of(args[0]), 1,
                    Map.of("raft.metrics.jmx.enabled", args[1]))) {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                long count = 0;
                for (ObjectName name : server.queryNames(null, null)) {
                    if (server.getObjectInstance(name).getClassName().contains("codahale.metrics.jmx.JmxReporter")) {
                        count++;
                    }
                }
                System.out.println(PREFIX + count);
            }
            System.exit(0);
        }
    }
}
