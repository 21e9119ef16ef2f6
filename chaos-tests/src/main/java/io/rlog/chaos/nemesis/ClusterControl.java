package io.rlog.chaos.nemesis;

import java.util.OptionalInt;
import java.util.Set;

/**
 * What the nemesis may do to a cluster. Implementations act on real processes and proxies; each call returns
 * when the action took effect (a killed process is gone, a paused one is stopped), except that
 * {@link #restart} may return before the node is healthy (it throws then, and the node still runs).
 *
 * <p>Threads: calls on different nodes may run concurrently.
 */
public interface ClusterControl {
    int nodes();

    void kill(int node) throws Exception;

    /** Starts the node again on its data; throws if it is not healthy within the implementation's bound. */
    void restart(int node) throws Exception;

    void pause(int node) throws Exception;

    void resume(int node) throws Exception;

    /** Replaces the set of cut links (see {@link Link}). */
    void cut(Set<Link> links, CutStyle style);

    /** The current leader of a partition of the workload's topic, if it can be learned quickly. */
    OptionalInt leaderOf(int partition);
}
