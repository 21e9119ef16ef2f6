package io.rlog.node;

import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorageMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>When the follower that stood has the shorter log, the other follower of a 3-voter group refuses its vote, and
 * that election cannot succeed without it. The refusing follower sees this in its own state (a newer term, no vote
 * given in it, no leader) and stands at once; without that it would wait for its turn in the fallback order.
 */
final class LostLeaderElections {

    private static final Logger LOG = LoggerFactory.getLogger(LostLeaderElections.class);

    /** A voter of a group: node id and Ratis priority. */
    record Voter(int nodeId, int priority) {}

    private final RaftServer server;
    private final int self;
    private final IntPredicate up;
    private final Executor executor;
    private final long fallbackDelayMs;
    private final long refusalPollMs;
    /** Elections this node started for a lost leader (for /metrics and tests). */
    final LongAdder started = new LongAdder();

    /**
     * {@code up}: whether a peer is known to be live; {@code executor} runs the elections, one task per group;
     * {@code fallbackDelayMs}: how long the voter ranked k waits, times k, before it stands in turn (0: never);
     * {@code refusalPollMs}: how often a follower of a 3-voter group that did not stand looks whether it refused the
     * vote of the one that did (0: never), for at most {@link #REFUSAL_WATCH_MS}.
     */
    LostLeaderElections(RaftServer server, int self, IntPredicate up, Executor executor, long fallbackDelayMs,
                        long refusalPollMs) {
        this.server = server;
        this.self = self;
        this.up = up;
        this.executor = executor;
        this.fallbackDelayMs = fallbackDelayMs;
        this.refusalPollMs = refusalPollMs;
    }

    /** How long a follower that did not stand watches for a refused vote; later, the fallback order or Raft decide. */
    static final long REFUSAL_WATCH_MS = 2_000;

    /**
     * PeerWatch's listener. Each group's election is started on its own task: starting one persists the new term
     * (an fsync), and one after another they took 25-50 ms each on a loaded 2-core machine.
     */
    void peerDown(int dead) {
        Set<RaftGroupId> refusalWatch = ConcurrentHashMap.newKeySet();
        for (RaftGroupId gid : server.getGroupIds()) {
            try {
                executor.execute(() -> electAfter(gid, dead, refusalWatch));
            } catch (RejectedExecutionException closing) {
                return; // the node is stopping
            }
        }
        if (refusalPollMs > 0) {
            pollRefusals(refusalWatch, dead, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REFUSAL_WATCH_MS));
        }
    }

    private void electAfter(RaftGroupId gid, int dead, Set<RaftGroupId> refusalWatch) {
        try {
            standByRank(server.getDivision(gid), dead, refusalWatch);
        } catch (IOException | RuntimeException e) {
            LOG.debug("no early election for {} after node {} went down: {}", gid, dead, e.toString());
        }
    }

    private void standByRank(RaftServer.Division division, int dead, Set<RaftGroupId> refusalWatch)
            throws IOException {
        DivisionInfo info = division.getInfo();
        RaftPeerId leader = info.getLeaderId();
        // No leader known: another voter may have seen the peer down first and already asked for this node's vote
        // (which clears the leader). Only the fallback then: if that election fails, this node's turn must come.
        if (!info.isFollower() || (leader != null && RaftHost.nodeId(leader) != dead)) {
            return;
        }
        int rank = rankIn(division, dead);
        if (rank == 0 && leader != null) {
            stand(division, dead);
        } else if (rank > 0) {
            RaftGroupId gid = division.getGroup().getGroupId();
            if (refusalPollMs > 0 && division.getRaftConf().getCurrentPeers().size() == 3) {
                refusalWatch.add(gid);
            }
            if (fallbackDelayMs > 0) {
                Executor later = CompletableFuture.delayedExecutor(rank * fallbackDelayMs, TimeUnit.MILLISECONDS,
                        executor);
                try {
                    later.execute(() -> standIfStillLeaderless(gid, dead));
                } catch (RejectedExecutionException closing) {
                    // the node is stopping
                }
            }
        }
    }

    /** One task per lost peer looks at every watched group each {@code refusalPollMs}, until the watch is over. */
    private void pollRefusals(Set<RaftGroupId> watched, int dead, long untilNanos) {
        Executor later = CompletableFuture.delayedExecutor(refusalPollMs, TimeUnit.MILLISECONDS, executor);
        try {
            later.execute(() -> {
                watched.removeIf(gid -> !standIfRefused(gid, dead));
                if (System.nanoTime() < untilNanos) {
                    pollRefusals(watched, dead, untilNanos);
                }
            });
        } catch (RejectedExecutionException closing) {
            // the node is stopping
        }
    }

    /**
     * Stands when this follower refused the vote of the one that stood: the election of a 3-voter group that lost
     * one voter needs both others, so that candidate cannot win, and the refusal means this log is the longer one.
     * Ratis records a refused vote of a newer term as that term with no vote (persisted before the reply); the
     * leader is cleared with it. Returns whether to look again: not once there is a leader or this node stood.
     */
    private boolean standIfRefused(RaftGroupId gid, int dead) {
        try {
            RaftServer.Division division = server.getDivision(gid);
            DivisionInfo info = division.getInfo();
            if (!leaderStillMissing(info, dead)) {
                return false;
            }
            if (info.getLeaderId() == null && refusedTheVoteOfTerm(division, info.getCurrentTerm())) {
                if (rankIn(division, dead) > 0 && forceCandidacy(division)) {
                    started.increment();
                    LOG.info("{}: refused the vote of the follower that stood after node {} went down (this log is "
                            + "longer); started an election (last entry {})", gid, dead,
                            division.getRaftLog().getLastEntryTermIndex());
                }
                return false;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("no watch for a refused vote in {} after node {} went down: {}", gid, dead, e.toString());
            return false;
        }
    }

    /** This replica still follows {@code dead} or no one, and {@code dead} is still down: a later stand may help. */
    private boolean leaderStillMissing(DivisionInfo info, int dead) {
        RaftPeerId leader = info.getLeaderId();
        return info.isFollower() && !up.test(dead) && (leader == null || RaftHost.nodeId(leader) == dead);
    }

    /** The persisted vote: {@code term} is newer than this log's last entry, and no vote was given in it. */
    private static boolean refusedTheVoteOfTerm(RaftServer.Division division, long term) throws IOException {
        RaftStorageMetadata persisted = division.getRaftStorage().getMetadataFile().getMetadata();
        TermIndex last = division.getRaftLog().getLastEntryTermIndex();
        RaftPeerId votedFor = persisted.getVotedFor();
        return persisted.getTerm() == term && last != null && term > last.getTerm()
                && (votedFor == null || votedFor.toString().isEmpty());
    }

    /** This replica gave its vote in the current term to another voter, which is up. */
    private boolean votedForALiveCandidate(RaftServer.Division division) throws IOException {
        RaftStorageMetadata persisted = division.getRaftStorage().getMetadataFile().getMetadata();
        RaftPeerId votedFor = persisted.getVotedFor();
        return persisted.getTerm() == division.getInfo().getCurrentTerm() && votedFor != null
                && !votedFor.toString().isEmpty() && !votedFor.equals(server.getId())
                && up.test(RaftHost.nodeId(votedFor));
    }

    /** This node's {@link #rank} among the group's current voters; -1 during a membership change (left to Raft). */
    private int rankIn(RaftServer.Division division, int dead) {
        RaftConfiguration conf = division.getRaftConf();
        return conf.getPreviousPeers().isEmpty() ? rank(self, dead, voters(conf.getCurrentPeers()), up) : -1;
    }

    private void stand(RaftServer.Division division, int dead) throws IOException {
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

    /**
     * The next voter's turn, when the first one's election did not produce a leader: its log was shorter than
     * another voter's, which refused it. That election raised every voter's term past the last entries' terms, so
     * Ratis's {@code startLeaderElection} (which checks the leader's term) refuses from now on; the candidacy is
     * started directly, as that call would have ({@link #forceCandidacy}). The voters still compare logs.
     */
    private void standIfStillLeaderless(RaftGroupId gid, int dead) {
        try {
            RaftServer.Division division = server.getDivision(gid);
            if (!leaderStillMissing(division.getInfo(), dead)) {
                return;
            }
            if (rankIn(division, dead) <= 0) {
                return;
            }
            if (votedForALiveCandidate(division)) {
                // An election this replica voted for is under way and its winner's first append may be a moment
                // away: standing now starts a newer term that deposes it (seen under load: a 480 ms election, then
                // this fallback in the same millisecond as the winner's first append, and two more terms, 2 s).
                LOG.debug("{}: no leader yet {} ms after node {} went down, but this replica voted in the current "
                        + "term for a live candidate; not standing", gid, fallbackDelayMs, dead);
                return;
            }
            if (forceCandidacy(division)) {
                started.increment();
                LOG.info("{}: no leader {} ms after node {} went down; started an election (last entry {})", gid,
                        fallbackDelayMs, dead, division.getRaftLog().getLastEntryTermIndex());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("no second early election for {} after node {} went down: {}", gid, dead, e.toString());
        }
    }

    /**
     * Ratis's own step from follower to candidate, skipping the pre-vote, as {@code startLeaderElection} takes it.
     * A package-private method of Ratis 3.3 ({@code RaftServerImpl.changeToCandidate(boolean)}), reached by
     * reflection; if it is missing or the role changed meanwhile, Raft's timeouts elect as before.
     */
    private static boolean forceCandidacy(RaftServer.Division division) {
        try {
            Method m = division.getClass().getDeclaredMethod("changeToCandidate", boolean.class);
            m.setAccessible(true);
            synchronized (division) { // the lock Ratis's role changes hold
                if (!division.getInfo().isFollower()) {
                    return false;
                }
                m.invoke(division, true);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("could not start an election for {}: {}", division.getMemberId(), e.toString());
            return false;
        }
    }

    private static List<Voter> voters(Collection<RaftPeer> peers) {
        List<Voter> voters = new ArrayList<>(peers.size());
        for (RaftPeer p : peers) {
            voters.add(new Voter(RaftHost.nodeId(p.getId()), p.getPriority()));
        }
        return voters;
    }

    /**
     * {@code self}'s turn to stand after {@code dead}'s loss, from 0, among the live voters ordered by priority,
     * then the lower node id; -1 when {@code self} does not vote, {@code dead} did not (the group lost nothing), or
     * the voters seen up (with {@code self}) are no quorum.
     */
    static int rank(int self, int dead, List<Voter> voters, IntPredicate up) {
        int live = 0;
        Voter me = null;
        for (Voter v : voters) {
            if (v.nodeId() == dead || (v.nodeId() != self && !up.test(v.nodeId()))) {
                continue;
            }
            live++;
            if (v.nodeId() == self) {
                me = v;
            }
        }
        if (me == null || live <= voters.size() / 2 || voters.stream().noneMatch(v -> v.nodeId() == dead)) {
            return -1;
        }
        int ahead = 0;
        for (Voter v : voters) {
            if (v.nodeId() == dead || v.nodeId() == self || !up.test(v.nodeId())) {
                continue;
            }
            if (v.priority() > me.priority() || (v.priority() == me.priority() && v.nodeId() < me.nodeId())) {
                ahead++;
            }
        }
        return ahead;
    }
}
