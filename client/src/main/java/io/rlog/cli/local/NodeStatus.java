package io.rlog.cli.local;

/**
 * One node as `rlog local status` prints it.
 *
 * @param pid    0 when no process of ours runs
 * @param health "ok", "http-STATUS" or "down" for a running node; "-" for a paused or stopped one, which
 *               cannot answer
 */
public record NodeStatus(int node, long pid, NodeState state, int kafkaPort, int raftPort, int httpPort,
                         String health) {
    /** key=value pairs, so scripts can pick fields without positional parsing. */
    public String toLine() {
        return "node=" + node + " pid=" + (pid == 0 ? "-" : Long.toString(pid)) + " state=" + state.label()
                + " kafka=" + kafkaPort + " raft=" + raftPort + " http=" + httpPort + " health=" + health;
    }
}
