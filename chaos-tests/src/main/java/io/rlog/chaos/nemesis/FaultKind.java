package io.rlog.chaos.nemesis;

import java.util.List;
import java.util.Locale;

/** What a nemesis can do, and which target choices each kind accepts. */
public enum FaultKind {
    /** SIGKILL; healed by restarting on the same data. */
    KILL(List.of(Target.ONE, Target.LEADER, Target.MINORITY, Target.ALL)),
    /** SIGSTOP; healed by SIGCONT. */
    PAUSE(List.of(Target.ONE, Target.LEADER, Target.MINORITY)),
    /** Cuts between nodes (clients still reach every node). */
    PARTITION(List.of(Target.ISOLATE_ONE, Target.ISOLATE_LEADER, Target.HALVES, Target.RING, Target.BRIDGE,
            Target.LEADER_CANNOT_SEND, Target.LEADER_CANNOT_HEAR)),
    /** Cuts between the clients and one node, while the nodes still see each other. */
    CLIENTS(List.of(Target.LEADER, Target.ONE));

    private final List<Target> targets;

    FaultKind(List<Target> targets) {
        this.targets = targets;
    }

    public List<Target> targets() {
        return targets;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FaultKind parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
