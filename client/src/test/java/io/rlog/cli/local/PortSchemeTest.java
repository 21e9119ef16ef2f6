package io.rlog.cli.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortSchemeTest {
    @Test
    void defaultBasePortGivesTheDocumentedPorts() {
        PortScheme s = new PortScheme(PortScheme.DEFAULT_BASE_PORT, 3);
        assertEquals(List.of(9092, 9093, 9094), List.of(s.kafkaPort(1), s.kafkaPort(2), s.kafkaPort(3)));
        assertEquals(List.of(9192, 9193, 9194), List.of(s.raftPort(1), s.raftPort(2), s.raftPort(3)));
        assertEquals(List.of(9292, 9293, 9294), List.of(s.httpPort(1), s.httpPort(2), s.httpPort(3)));
        assertEquals("127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094", s.bootstrapServers("127.0.0.1"));
        assertEquals("1@127.0.0.1:9192:9092,2@127.0.0.1:9193:9093,3@127.0.0.1:9194:9094", s.clusterNodes("127.0.0.1"));
    }

    @Test
    void noTwoPortsCollideForAnyClusterSize() {
        for (int n = 1; n <= PortScheme.NODES_MAX; n++) {
            PortScheme s = new PortScheme(20000, n);
            List<Integer> ports = s.allPorts();
            Set<Integer> distinct = new HashSet<>(ports);
            assertEquals(3 * n, ports.size());
            assertEquals(ports.size(), distinct.size(), "collision for n=" + n + ": " + ports);
            assertTrue(ports.stream().allMatch(p -> p >= 20000 && p <= 20000 + PortScheme.SPAN), "outside span");
        }
    }

    @Test
    void rejectsNodeCountsOutsideOneToNine() {
        assertThrows(IllegalArgumentException.class, () -> new PortScheme(9092, 0));
        assertThrows(IllegalArgumentException.class, () -> new PortScheme(9092, 10));
    }

    @Test
    void rejectsBasePortsWhoseRangeLeavesTheValidPorts() {
        assertThrows(IllegalArgumentException.class, () -> new PortScheme(80, 1));
        assertThrows(IllegalArgumentException.class, () -> new PortScheme(65535 - PortScheme.SPAN + 1, 1));
        new PortScheme(65535 - PortScheme.SPAN, 9); // the highest allowed base still fits 9 nodes
    }

    @Test
    void rejectsNodesOutsideTheCluster() {
        PortScheme s = new PortScheme(9092, 3);
        assertThrows(IllegalArgumentException.class, () -> s.kafkaPort(0));
        assertThrows(IllegalArgumentException.class, () -> s.httpPort(4));
    }

    @Test
    void findFreeReturnsPortsThatCanBeBound() {
        PortScheme s = PortScheme.findFree(9);
        assertEquals(9, s.nodes());
        assertTrue(s.allPorts().stream().allMatch(PortScheme::isFree));
    }
}
