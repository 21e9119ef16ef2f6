package io.rlog.group;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** One member of a classic group, as its coordinator keeps it. Mutable; owned by its {@link ClassicGroup}. */
final class Member {
    static final long NONE = -1;

    String memberId;
    final String instanceId;
    final String clientId;
    final String clientHost;
    final String protocolType;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    List<Protocol> protocols;
    byte[] assignment = new byte[0];
    /** Past it, a member whose heartbeat is not satisfied by a pending join or sync is removed. */
    long heartbeatDeadlineMs;
    /** The pending JoinGroup's request id, or NONE. */
    long joinRequestId = NONE;
    /** The pending SyncGroup's request id, or NONE. */
    long syncRequestId = NONE;
    /** Joined during the current join phase and has not completed a join yet (Kafka: isNew). */
    boolean isNew;

    Member(String memberId, Messages.JoinRequest join) {
        this.memberId = memberId;
        this.instanceId = join.instanceId();
        this.clientId = join.clientId();
        this.clientHost = join.clientHost();
        this.protocolType = join.protocolType();
        this.sessionTimeoutMs = join.sessionTimeoutMs();
        this.rebalanceTimeoutMs = join.rebalanceTimeoutMs();
        this.protocols = join.protocols();
    }

    boolean awaitingJoin() {
        return joinRequestId != NONE;
    }

    boolean awaitingSync() {
        return syncRequestId != NONE;
    }

    /** Kafka's rule: a new member can expire while it waits to join; others waiting in a phase are alive. */
    boolean heartbeatSatisfied() {
        return !isNew && (awaitingJoin() || awaitingSync());
    }

    Set<String> protocolNames() {
        return protocols.stream().map(Protocol::name).collect(Collectors.toSet());
    }

    /** The member's first choice among {@code candidates} (its list is in preference order). */
    String vote(Set<String> candidates) {
        return protocols.stream().map(Protocol::name).filter(candidates::contains).findFirst()
                .orElseThrow(() -> new IllegalStateException("member " + memberId + " supports none of " + candidates));
    }

    byte[] metadata(String protocol) {
        return protocols.stream().filter(p -> p.name().equals(protocol)).map(Protocol::metadata).findFirst()
                .orElse(new byte[0]);
    }

    boolean isStatic() {
        return instanceId != null;
    }
}
