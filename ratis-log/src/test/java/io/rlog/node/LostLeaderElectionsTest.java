package io.rlog.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.node.LostLeaderElections.Voter;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** Who stands for election when a group's leader is gone: exactly one live voter, and only with a quorum in sight. */
class LostLeaderElectionsTest {

    private static final List<Voter> PARTITION = List.of(new Voter(1, 2), new Voter(2, 1), new Voter(3, 1));

    /** Whether {@code self} stands at once after {@code dead}'s loss: it is first in line. */
    private static boolean shouldStand(int self, int dead, List<Voter> voters, IntPredicate up) {
        return LostLeaderElections.rank(self, dead, voters, up) == 0;
    }

    private static IntPredicate up(Integer... ids) {
        Set<Integer> live = Set.of(ids);
        return live::contains;
    }

    @Test
    void afterThePreferredLeaderTheLowerIdOfTheOthersStandsAndOnlyIt() {
        assertTrue(shouldStand(2, 1, PARTITION, up(3)));
        assertFalse(shouldStand(3, 1, PARTITION, up(2)));
    }

    @Test
    void thePreferredReplicaStandsWhenAnotherLeaderIsGone() {
        assertTrue(shouldStand(1, 2, PARTITION, up(3)));
        assertFalse(shouldStand(3, 2, PARTITION, up(1)));
    }

    @Test
    void aVoterThatIsNotSeenUpDoesNotStandInTheWayNorCountTowardsTheQuorum() {
        // Node 2 ranks first after node 1's loss, but node 3 does not see it: node 3 may not count on its vote
        // either, so it does not stand (it would only raise its term in a loop without a quorum).
        assertFalse(shouldStand(3, 1, PARTITION, up()));
        // Five voters, two gone: the three left are a quorum and the first of them stands.
        List<Voter> five = List.of(new Voter(1, 2), new Voter(2, 1), new Voter(3, 1), new Voter(4, 1), new Voter(5, 1));
        assertTrue(shouldStand(3, 1, five, up(4, 5)));
        assertFalse(shouldStand(4, 1, five, up(3, 5)));
        assertFalse(shouldStand(3, 1, five, up(4)));
    }

    @Test
    void equalPrioritiesAsInTheMetadataGroupGoByNodeId() {
        List<Voter> metadata = List.of(new Voter(1, 0), new Voter(2, 0), new Voter(3, 0));
        assertTrue(shouldStand(1, 3, metadata, up(2)));
        assertFalse(shouldStand(2, 3, metadata, up(1)));
        assertFalse(shouldStand(4, 3, metadata, up(1, 2)), "not a voter of the group");
    }

    @Test
    void theOthersTakeTurnsInRankOrderAndAVoterWithoutAQuorumInSightHasNone() {
        // If the first voter's log is shorter than another's, its election is refused; the next ones stand in turn.
        assertEquals(0, LostLeaderElections.rank(2, 1, PARTITION, up(3)));
        assertEquals(1, LostLeaderElections.rank(3, 1, PARTITION, up(2)));
        List<Voter> five = List.of(new Voter(1, 2), new Voter(2, 1), new Voter(3, 1), new Voter(4, 1), new Voter(5, 1));
        assertEquals(0, LostLeaderElections.rank(2, 1, five, up(3, 4, 5)));
        assertEquals(1, LostLeaderElections.rank(3, 1, five, up(2, 4, 5)));
        assertEquals(3, LostLeaderElections.rank(5, 1, five, up(2, 3, 4)));
        assertEquals(2, LostLeaderElections.rank(5, 1, five, up(3, 4)), "node 2 is not seen up: not ahead");
        assertEquals(-1, LostLeaderElections.rank(3, 1, PARTITION, up()), "no quorum in sight");
        assertEquals(-1, LostLeaderElections.rank(4, 1, PARTITION, up(2, 3)), "not a voter");
        assertEquals(-1, LostLeaderElections.rank(2, 4, PARTITION, up(1, 3)), "the lost peer was not a voter");
    }
}
