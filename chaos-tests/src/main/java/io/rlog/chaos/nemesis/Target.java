package io.rlog.chaos.nemesis;

import java.util.Locale;

/**
 * Which nodes a fault touches, chosen when it starts (the leader is asked for then). "Leader" means the leader
 * of partition 0 of the workload's topic.
 */
public enum Target {
    ONE, LEADER, MINORITY, ALL,
    /** One node cut from the others both ways. */
    ISOLATE_ONE,
    /** The leader cut from the others both ways. */
    ISOLATE_LEADER,
    /** A random split into a minority and a majority. */
    HALVES,
    /** Jepsen's majorities ring: every node sees a different majority (5+ nodes; with 3 it is HALVES). */
    RING,
    /** Two halves joined by one node that sees both. */
    BRIDGE,
    /** One-way: the others stop hearing the leader, which still hears them. */
    LEADER_CANNOT_SEND,
    /** One-way: the leader stops hearing the others, which still hear it. */
    LEADER_CANNOT_HEAR;

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Target parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
