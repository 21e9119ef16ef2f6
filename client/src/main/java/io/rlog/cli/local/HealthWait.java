package io.rlog.cli.local;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Waiting, bounded, until started nodes answer /health with 200; a node that exits fails the wait at once. */
final class HealthWait {
    /** How long to wait between rounds of probes. */
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
    private static final int LOG_TAIL_LINES_DIED = 40;
    private static final int LOG_TAIL_LINES_SLOW = 20;

    private HealthWait() {}

    static void run(List<LocalNode> nodes, HealthProbe probe, String host, PortScheme ports, Duration timeout)
            throws IOException, InterruptedException {
        TreeMap<Integer, LocalNode> pending = new TreeMap<>();
        nodes.forEach(n -> pending.put(n.id(), n));
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (LocalNode node : new ArrayList<>(pending.values())) {
                if (node.ownedQuietly().isEmpty()) {
                    node.forgetPid(); // it died under our eyes: the pid file is ours and stale
                    throw new LocalClusterException("node " + node.id() + " exited while starting; last lines of "
                            + node.logFile() + ":\n" + node.logTail(LOG_TAIL_LINES_DIED));
                }
                if (probe.isHealthy(host, ports.httpPort(node.id()))) {
                    pending.remove(node.id());
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadlineNs >= 0) {
                StringBuilder msg = new StringBuilder("nodes " + pending.keySet() + " not healthy after "
                        + timeout.toSeconds() + " s");
                for (LocalNode node : pending.values()) {
                    msg.append("\n--- last lines of ").append(node.logFile()).append(":\n")
                            .append(node.logTail(LOG_TAIL_LINES_SLOW));
                }
                throw new LocalClusterException(msg.toString());
            }
            Thread.sleep(PROBE_INTERVAL.toMillis()); // a bounded poll of other processes, not synchronization
        }
    }
}
