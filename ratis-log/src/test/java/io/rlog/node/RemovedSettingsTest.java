package io.rlog.node;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A setting rlog no longer honours stops a node at start with a message that says so, instead of being ignored. */
class RemovedSettingsTest {
    @Test
    void askingForRatisJmxMetricsStopsTheNodeWithAClearError(@TempDir Path dir) {
        Exception e = assertThrows(Exception.class,
                () -> new InJvmCluster(dir, 1, Map.of("raft.metrics.jmx.enabled", "true")).close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t).append('\n');
        }
        assertTrue(messages.toString().contains("raft.metrics.jmx.enabled=true is no longer supported"),
                messages.toString());
    }
}
