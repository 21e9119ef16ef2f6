package io.rlog.node;

import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntPredicate;

/**
 * When a peer's process is gone ({@link PeerWatch}), this node starts the election of every group that peer led
 * here at once, instead of waiting out an election timeout (a random 1-2 s sleep by default, then a pre-vote round
 * that a follower who heard the leader recently refuses).
 *
 * <p>One follower per group stands, so the two of a 3-replica group do not split the vote: the live voter of
 * highest priority, then of lowest node id, among this node and the peers it sees up. It stands only when it
 * sees a quorum up, so a node cut off on its own does not raise its term in a loop. The election goes through
 * Ratis's own entry point for a leadership transfer, {@code startLeaderElection}, asked locally in the dead
 * leader's name with this replica's own last entry: Ratis then skips the pre-vote (the leader is gone, there is
 * nothing to protect) and still checks that leader and term are current (a replica without an entry of the
 * current term is refused, and Raft's timeouts take over). If another voter's log is longer, it refuses its vote,
 * and Raft's timeouts elect that voter as before. A forced election skips the pre-vote in every round, so a voter
 * that stays connected but silent (a paused process) costs a term per round until it answers or another wins.
 */
final class LostLeaderElections {

    private static final Logger LOG = LoggerFactory.getLogger(LostLeaderElections.class);

    /** A voter of a group: node id and Ratis priority. */
    record Voter(int nodeId, int priority) {}

    private final RaftServer server;
    private final int self;
    private final IntPredicate up;
    private final Executor executor;
    /** Elections this node started for a lost leader (for /metrics and tests). */
    final LongAdder started = new LongAdder();

    /** {@code up}: whether a peer is known to be live; {@code executor} runs the elections, one task per group. */
    LostLeaderElections(RaftServer server, int self, IntPredicate up, Executor executor) {
        this.server = server;
        this.self = self;
        this.up = up;
        this.executor = executor;
    }

    /**
     * PeerWatch's listener. Each group's election is started on its own task: starting one persists the new term
     * (an fsync), and one after another they took 25-50 ms each on a loaded 2-core machine.
     */
    void peerDown(int dead) {
        for (RaftGroupId gid : server.getGroupIds()) {
            try {
                executor.execute(() -> electAfter(gid, dead));
            } catch (RejectedExecutionException closing) {
                return; // the node is stopping
            }
        }
    }

    private void electAfter(RaftGroupId gid, int dead) {
        try {
            standIfChosen(server.getDivision(gid), dead);
        } catch (IOException | RuntimeException e) {
            LOG.debug("no early election for {} after node {} went down: {}", gid, dead, e.toString());
        }
    }

    private void standIfChosen(RaftServer.Division division, int dead) throws IOException {
        DivisionInfo info = division.getInfo();
        if (!info.isFollower() || RaftHost.nodeId(info.getLeaderId()) != dead) {
            return;
        }
        RaftConfiguration conf = division.getRaftConf();
        if (!conf.getPreviousPeers().isEmpty()) {
            return; // a membership change is under way: leave it to Raft
        }
        List<Voter> voters = voters(conf.getCurrentPeers());
        if (!shouldStand(self, dead, voters, up)) {
            return;
        }
        TermIndex last = division.getRaftLog().getLastEntryTermIndex();
        if (last == null) {
            return;
        }
        RaftGroupId gid = division.getGroup().getGroupId();
        StartLeaderElectionRequestProto request = StartLeaderElectionRequestProto.newBuilder()
                .setServerRequest(RaftRpcRequestProto.newBuilder()
                        .setRequestorId(RaftHost.peerId(dead).toByteString())
                        .setReplyId(server.getId().toByteString())
                        .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(gid.toByteString())))
                .setLeaderLastEntry(last.toProto())
                .build();
        StartLeaderElectionReplyProto reply = server.startLeaderElection(request);
        boolean accepted = reply.getServerReply().getSuccess();
        if (accepted) {
            started.increment();
        }
        LOG.info("{}: leader node {} is gone; {} an election at once (last entry {})", gid, dead,
                accepted ? "started" : "Ratis refused", last);
    }

    private static List<Voter> voters(Collection<RaftPeer> peers) {
        List<Voter> voters = new ArrayList<>(peers.size());
        for (RaftPeer p : peers) {
            voters.add(new Voter(RaftHost.nodeId(p.getId()), p.getPriority()));
        }
        return voters;
    }

    /**
     * Whether {@code self} is the one voter to stand after {@code dead}'s loss: {@code self} and the voters seen up
     * make a quorum, and {@code self} ranks first among them (priority, then the lower node id).
     */
    static boolean shouldStand(int self, int dead, List<Voter> voters, IntPredicate up) {
        Voter best = null;
        int live = 0;
        boolean selfVotes = false;
        for (Voter v : voters) {
            if (v.nodeId() == dead || (v.nodeId() != self && !up.test(v.nodeId()))) {
                continue;
            }
            selfVotes |= v.nodeId() == self;
            live++;
            if (best == null || v.priority() > best.priority()
                    || (v.priority() == best.priority() && v.nodeId() < best.nodeId())) {
                best = v;
            }
        }
        return selfVotes && live > voters.size() / 2 && best.nodeId() == self;
    }
}
