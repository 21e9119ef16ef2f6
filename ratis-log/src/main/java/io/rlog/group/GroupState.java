package io.rlog.group;

import java.util.EnumSet;
import java.util.Set;

/**
 * The classic group protocol's states, with Kafka's names (DescribeGroups and ListGroups report them) and the
 * states each may be entered from (Kafka's ClassicGroupState):
 * <pre>
 *   Empty               <- PreparingRebalance          (the join phase ended with no member)
 *   PreparingRebalance  <- Empty, Stable, CompletingRebalance
 *   CompletingRebalance <- PreparingRebalance          (every member joined, or the rebalance timed out)
 *   Stable              <- CompletingRebalance         (the leader's SyncGroup brought the assignment)
 *   Dead                <- every state                 (deleted, or this node stopped coordinating it)
 * </pre>
 */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The name on the wire (DescribeGroups, ListGroups) and in Kafka's tools. */
    public String kafkaName() {
        return kafkaName;
    }

    /** The state named {@code name} on the wire (case-insensitive, as ListGroups filters match), or null. */
    public static GroupState byKafkaName(String name) {
        for (GroupState s : values()) {
            if (s.kafkaName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }

    Set<GroupState> validPrevious() {
        return switch (this) {
            case EMPTY -> EnumSet.of(PREPARING_REBALANCE);
            case PREPARING_REBALANCE -> EnumSet.of(EMPTY, STABLE, COMPLETING_REBALANCE);
            case COMPLETING_REBALANCE -> EnumSet.of(PREPARING_REBALANCE);
            case STABLE -> EnumSet.of(COMPLETING_REBALANCE);
            case DEAD -> EnumSet.allOf(GroupState.class);
        };
    }
}
