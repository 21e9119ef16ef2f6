package io.rlog.group;

/**
 * The group coordinator's limits and timings, units in the names; the node reads them from its settings (Kafka's
 * names where Kafka has the setting) and checks them against each other here.
 *
 * @param sessionTimeoutMsMin shortest session timeout a member may ask for ({@code group.min.session.timeout.ms})
 * @param sessionTimeoutMsMax longest one ({@code group.max.session.timeout.ms})
 * @param initialRebalanceDelayMs how long the first rebalance of an empty group waits for more members
 *     ({@code group.initial.rebalance.delay.ms}); 0 completes it as soon as the first member joined
 * @param groupSizeMax members one group may have ({@code group.max.size})
 * @param memberMetadataBytesMax the largest total of one member's protocol metadata in a JoinGroup: a member's
 *     metadata is held in memory and sent to the leader in every rebalance, so an unbounded one could exhaust the
 *     coordinator ({@code group.member.metadata.max.bytes}, rlog's own setting)
 * @param offsetMetadataBytesMax the largest metadata string of one committed offset ({@code offset.metadata.max.bytes})
 * @param newMemberJoinTimeoutMs how long a new member may wait in its first join before it is dropped (Kafka's
 *     fixed 5 minutes)
 */
public record GroupConfig(int sessionTimeoutMsMin, int sessionTimeoutMsMax, int initialRebalanceDelayMs,
                          int groupSizeMax, int memberMetadataBytesMax, int offsetMetadataBytesMax,
                          int newMemberJoinTimeoutMs) {

    public GroupConfig {
        if (sessionTimeoutMsMin <= 0 || sessionTimeoutMsMin > sessionTimeoutMsMax) {
            throw new IllegalArgumentException("group.min.session.timeout.ms " + sessionTimeoutMsMin
                    + " must be positive and at most group.max.session.timeout.ms " + sessionTimeoutMsMax);
        }
        if (initialRebalanceDelayMs < 0) {
            throw new IllegalArgumentException("group.initial.rebalance.delay.ms must not be negative");
        }
        if (groupSizeMax <= 0 || memberMetadataBytesMax <= 0 || offsetMetadataBytesMax < 0
                || newMemberJoinTimeoutMs <= 0) {
            throw new IllegalArgumentException("group limits must be positive: " + groupSizeMax + ", "
                    + memberMetadataBytesMax + ", " + offsetMetadataBytesMax + ", " + newMemberJoinTimeoutMs);
        }
    }

    /** Kafka's broker defaults; a member's metadata may reach 1 MiB. */
    public static GroupConfig defaults() {
        return new GroupConfig(6_000, 1_800_000, 3_000, 1_000, 1 << 20, 4096, 300_000);
    }

    public GroupConfig withInitialRebalanceDelayMs(int value) {
        return new GroupConfig(sessionTimeoutMsMin, sessionTimeoutMsMax, value, groupSizeMax, memberMetadataBytesMax,
                offsetMetadataBytesMax, newMemberJoinTimeoutMs);
    }

    public GroupConfig withSessionTimeoutMsMin(int value) {
        return new GroupConfig(value, sessionTimeoutMsMax, initialRebalanceDelayMs, groupSizeMax,
                memberMetadataBytesMax, offsetMetadataBytesMax, newMemberJoinTimeoutMs);
    }

    public GroupConfig withMemberMetadataBytesMax(int value) {
        return new GroupConfig(sessionTimeoutMsMin, sessionTimeoutMsMax, initialRebalanceDelayMs, groupSizeMax, value,
                offsetMetadataBytesMax, newMemberJoinTimeoutMs);
    }

    public GroupConfig withGroupSizeMax(int value) {
        return new GroupConfig(sessionTimeoutMsMin, sessionTimeoutMsMax, initialRebalanceDelayMs, value,
                memberMetadataBytesMax, offsetMetadataBytesMax, newMemberJoinTimeoutMs);
    }
}
