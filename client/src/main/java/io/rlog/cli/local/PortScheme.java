package io.rlog.cli.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * The ports of a local cluster, all derived from one base port P so that a cluster is described by (P, N).
 *
 * <pre>
 *   node k (1..N, N <= 9)   kafka = P + k - 1     raft = P + 100 + k - 1     http = P + 200 + k - 1
 *   default P = 9092        kafka 9092..9100      raft 9192..9200            http 9292..9300
 * </pre>
 *
 * Each kind of port owns a block of 100, and a cluster uses at most 9 ports of each block, so no two ports of
 * one cluster collide. The whole cluster lives in [P, P + 208].
 */
public record PortScheme(int basePort, int nodes) {
    public static final int DEFAULT_BASE_PORT = 9092;
    public static final int NODES_MAX = 9;
    /** Distance between the kafka, raft and http blocks; must exceed NODES_MAX so blocks never overlap. */
    static final int BLOCK = 100;
    /** Highest offset from the base port that a cluster of NODES_MAX nodes uses. */
    static final int SPAN = 2 * BLOCK + NODES_MAX - 1;
    /** Below this, ports are privileged on Unix. */
    static final int BASE_PORT_MIN = 1024;
    /** Searched by {@link #findFree}: above the common service ports, below Linux's ephemeral range (32768+). */
    private static final int SEARCH_FROM = 20000;
    private static final int SEARCH_TO = 32768 - SPAN - 1;

    public PortScheme {
        if (nodes < 1 || nodes > NODES_MAX) {
            throw new IllegalArgumentException("nodes must be in 1.." + NODES_MAX + ", got " + nodes);
        }
        if (basePort < BASE_PORT_MIN || basePort + SPAN > 65535) {
            throw new IllegalArgumentException(
                    "base port must be in " + BASE_PORT_MIN + ".." + (65535 - SPAN) + ", got " + basePort);
        }
    }

    public int kafkaPort(int node) {
        return basePort + index(node);
    }

    public int raftPort(int node) {
        return basePort + BLOCK + index(node);
    }

    public int httpPort(int node) {
        return basePort + 2 * BLOCK + index(node);
    }

    /** Every port the cluster binds, in node order (kafka, raft, http per node). */
    public List<Integer> allPorts() {
        List<Integer> ports = new ArrayList<>();
        for (int k = 1; k <= nodes; k++) {
            ports.add(kafkaPort(k));
            ports.add(raftPort(k));
            ports.add(httpPort(k));
        }
        return ports;
    }

    /** The value of cluster.nodes in node.properties: id@host:raftPort:kafkaPort for every node. */
    public String clusterNodes(String host) {
        return clusterNodes(k -> host);
    }

    /**
     * As {@link #clusterNodes(String)}, with a host name per node: a chaos test names node k {@code rlog-k}
     * and has each node resolve those names to its own per-pair proxies.
     */
    public String clusterNodes(IntFunction<String> hostOfNode) {
        List<String> voters = new ArrayList<>();
        for (int k = 1; k <= nodes; k++) {
            voters.add(k + "@" + hostOfNode.apply(k) + ":" + raftPort(k) + ":" + kafkaPort(k));
        }
        return String.join(",", voters);
    }

    public String bootstrapServers(String host) {
        List<String> servers = new ArrayList<>();
        for (int k = 1; k <= nodes; k++) {
            servers.add(host + ":" + kafkaPort(k));
        }
        return String.join(",", servers);
    }

    private int index(int node) {
        if (node < 1 || node > nodes) {
            throw new IllegalArgumentException("node must be in 1.." + nodes + ", got " + node);
        }
        return node - 1;
    }

    /**
     * A scheme whose every port is free on loopback right now. Random starting points keep concurrent test
     * JVMs apart; a port can still be taken between this check and the node's bind, which the caller sees as
     * a node failing to start.
     */
    public static PortScheme findFree(int nodes) {
        final int attemptsMax = 200;
        for (int attempt = 0; attempt < attemptsMax; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(SEARCH_FROM, SEARCH_TO);
            PortScheme scheme = new PortScheme(base, nodes);
            if (scheme.allPorts().stream().allMatch(PortScheme::isFree)) {
                return scheme;
            }
        }
        throw new IllegalStateException("no free port range for " + nodes + " nodes after " + attemptsMax + " tries");
    }

    /** Conservative: a port in TIME_WAIT from an earlier cluster counts as taken, so a fresh range is picked. */
    static boolean isFree(int port) {
        return canBind(port, false);
    }

    /**
     * The ports that something is listening on now, for a clear error before nodes start. Connections in
     * TIME_WAIT are ignored (SO_REUSEADDR), as the nodes' own listeners ignore them.
     */
    public List<Integer> portsInUse() {
        return allPorts().stream().filter(p -> !canBind(p, true)).toList();
    }

    private static boolean canBind(int port, boolean reuseAddress) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(reuseAddress);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
