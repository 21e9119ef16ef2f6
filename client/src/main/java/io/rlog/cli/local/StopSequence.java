package io.rlog.cli.local;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Stopping nodes: SIGTERM to all at once (plus SIGCONT to paused ones, which otherwise never handle it), a
 * shared wait of {@code stopTimeout}, then SIGKILL to those still running. Callers hold the nodes' locks.
 */
final class StopSequence {
    private StopSequence() {}

    static void run(List<LocalNode> nodes, Duration stopTimeout, Duration killTimeout, Consumer<String> notices)
            throws IOException, InterruptedException {
        Map<LocalNode, OwnedProcess> live = new LinkedHashMap<>();
        for (LocalNode node : nodes) {
            node.owned().ifPresent(p -> live.put(node, p));
        }
        for (OwnedProcess p : live.values()) {
            boolean paused = p.state() == NodeState.PAUSED;
            p.terminate();
            if (paused) {
                p.resume(); // after SIGTERM, so the first thing the node does on waking is shut down
            }
        }
        long deadlineNs = System.nanoTime() + stopTimeout.toNanos();
        for (Map.Entry<LocalNode, OwnedProcess> e : live.entrySet()) {
            OwnedProcess p = e.getValue();
            Duration left = Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime()));
            if (!p.awaitExit(left)) {
                notices.accept("node " + e.getKey().id() + " (pid " + p.pid() + ") still runs "
                        + stopTimeout.toSeconds() + " s after SIGTERM; sending SIGKILL");
                p.kill();
                if (!p.awaitExit(killTimeout)) {
                    throw new LocalClusterException("node " + e.getKey().id() + " (pid " + p.pid() + ") still runs "
                            + killTimeout.toSeconds() + " s after SIGKILL");
                }
            }
            e.getKey().forgetPid();
        }
    }
}
