package io.rlog.group;

import java.util.List;
import java.util.Map;

/**
 * The group coordinator's requests and results, free of Kafka's message classes (the listener translates).
 * Strings that Kafka sends as nullable stay nullable here (instance id, protocol names in SyncGroup v5).
 */
public final class Messages {
    private Messages() {}

    /** JoinGroup. {@code memberId} empty for a member new to the group. */
    public record JoinRequest(String memberId, String instanceId, String protocolType, List<Protocol> protocols,
                              int sessionTimeoutMs, int rebalanceTimeoutMs, String clientId, String clientHost,
                              boolean requireKnownMemberId, String reason) {
        public JoinRequest {
            memberId = memberId == null ? "" : memberId;
            protocolType = protocolType == null ? "" : protocolType;
            protocols = List.copyOf(protocols);
        }
    }

    /** {@code members} is filled for the leader only (each member's metadata of the chosen protocol). */
    public record JoinResult(short errorCode, int generation, String protocolType, String protocolName,
                             String leaderId, String memberId, List<JoinedMember> members) {
        static JoinResult error(short code, String memberId) {
            return new JoinResult(code, -1, null, null, "", memberId, List.of());
        }
    }

    public record JoinedMember(String memberId, String instanceId, byte[] metadata) {}

    /** SyncGroup; {@code assignments} matter only from the leader. */
    public record SyncRequest(String memberId, String instanceId, int generation, String protocolType,
                              String protocolName, Map<String, byte[]> assignments) {}

    public record SyncResult(short errorCode, String protocolType, String protocolName, byte[] assignment) {
        static SyncResult error(short code) {
            return new SyncResult(code, null, null, new byte[0]);
        }
    }

    /** A reply to a JoinGroup or SyncGroup call, which may come long after the call (when the phase ends). */
    public sealed interface Reply permits JoinReply, SyncReply {
        long requestId();
    }

    public record JoinReply(long requestId, JoinResult result) implements Reply {}

    public record SyncReply(long requestId, SyncResult result) implements Reply {}

    /** DescribeGroups: metadata and assignment are filled only while the group is Stable, as in Kafka. */
    public record MemberDescription(String memberId, String instanceId, String clientId, String clientHost,
                                    byte[] metadata, byte[] assignment) {}

    public record GroupDescription(String groupId, GroupState state, String protocolType, String protocolName,
                                   List<MemberDescription> members) {}
}
