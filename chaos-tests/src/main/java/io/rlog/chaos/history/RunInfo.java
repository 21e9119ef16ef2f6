package io.rlog.chaos.history;

import java.util.Map;
import java.util.TreeMap;

/**
 * The first line of a history: what reproduces the run.
 *
 * @param run      a name for the run (also the history file's name)
 * @param seed     the seed that chose the schedule, the targets and the workload's random choices
 * @param schedule the fault schedule as {@code io.rlog.chaos.nemesis.Schedule#toString()} prints it
 * @param params   the workload parameters and anything else worth knowing (topic, nodes, acks...)
 */
public record RunInfo(String run, long seed, String schedule, Map<String, String> params) {
    public RunInfo {
        params = java.util.Collections.unmodifiableMap(new TreeMap<>(params));
    }
}
