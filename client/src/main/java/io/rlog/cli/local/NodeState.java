package io.rlog.cli.local;

/** What `rlog local status` reports for a node's process. */
public enum NodeState {
    /** Alive and scheduled. */
    RUNNING,
    /** Alive but stopped by SIGSTOP (`rlog local pause`). */
    PAUSED,
    /** No process of ours: never started, exited, killed, or its pid file is stale. */
    STOPPED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
