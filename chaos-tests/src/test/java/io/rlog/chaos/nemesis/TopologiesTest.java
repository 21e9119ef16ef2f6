package io.rlog.chaos.nemesis;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopologiesTest {

    @Test
    void isolatingOneOfThreeCutsItsFourLinks() {
        assertEquals(Set.of(new Link(1, 2), new Link(2, 1), new Link(1, 3), new Link(3, 1)),
                Topologies.isolate(List.of(1), 3));
    }

    @Test
    void oneWayKeepsTheOtherDirection() {
        Set<Link> cut = Topologies.oneWay(List.of(1), 3);
        assertEquals(Set.of(new Link(1, 2), new Link(1, 3)), cut);
    }

    @Test
    void majoritiesRingOfFiveLetsEachNodeSeeExactlyTwoNeighbours() {
        Set<Link> cut = Topologies.majoritiesRing(List.of(1, 2, 3, 4, 5));
        for (int a = 1; a <= 5; a++) {
            int seen = 0;
            for (int b = 1; b <= 5; b++) {
                if (a != b && !cut.contains(new Link(a, b))) {
                    seen++;
                }
            }
            assertEquals(2, seen, "node " + a + " sees itself and two neighbours: a majority of 5");
        }
        assertTrue(cut.contains(new Link(1, 3)));
        assertFalse(cut.contains(new Link(1, 5)), "1 and 5 are ring neighbours");
    }

    @Test
    void bridgeOfThreeCutsOnlyTheTwoEnds() {
        assertEquals(Set.of(new Link(1, 3), new Link(3, 1)), Topologies.bridge(2, List.of(1, 3)));
    }

    @Test
    void clientCutIsBothDirectionsBetweenClientsAndOneNode() {
        assertEquals(Set.of(new Link(Link.CLIENTS, 2), new Link(2, Link.CLIENTS)), Topologies.clientsFrom(2));
    }
}
