package io.rlog.chaos.nemesis;

import io.rlog.cli.local.LocalCluster;
import io.rlog.cli.local.PortScheme;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Network cuts without a container engine: every connection between two parties goes through a proxy in this
 * JVM that the nemesis can shut per direction.
 * <pre>
 *   nodes bind 127.0.0.1 (kafka, raft, http ports of the PortScheme); cluster.nodes names node K "rlog-K"
 *   node I resolves rlog-J (its own hosts file, -Djdk.net.hosts.file) to 127.I.J.1: the proxy for I to J,
 *     which listens on raftPort(J) and forwards to 127.0.0.1:raftPort(J); node I resolves rlog-I to 127.0.0.1
 *   clients resolve rlog-K (the client hosts file) to 127.100.K.1: the proxy for clients to K, on kafkaPort(K)
 * </pre>
 * Raft peer addresses are replicated in Ratis group configurations, so every node must use the same names;
 * only their resolution differs per node. Brokers advertise rlog-K in Metadata answers, so clients follow
 * leaders through their proxies too.
 */
public final class ProxyNetwork implements AutoCloseable {
    private final PortScheme ports;
    private final List<LinkProxy> proxies = new ArrayList<>();
    private final Set<Link> cut = new TreeSet<>();

    private ProxyNetwork(PortScheme ports) {
        this.ports = ports;
    }

    public static String peerName(int node) {
        return "rlog-" + node;
    }

    /** The address on which the proxy for connections from {@code from} (a node, or CLIENTS) to node {@code to} listens. */
    public static String proxyHost(int from, int to) {
        return "127." + from + "." + to + ".1";
    }

    /** Starts a proxy for every ordered node pair and one per node for clients; nothing is cut. */
    public static ProxyNetwork start(PortScheme ports) throws IOException {
        ProxyNetwork net = new ProxyNetwork(ports);
        try {
            for (int to = 1; to <= ports.nodes(); to++) {
                for (int from = 1; from <= ports.nodes(); from++) {
                    if (from != to) {
                        net.add(new Link(from, to), ports.raftPort(to));
                    }
                }
                net.add(new Link(Link.CLIENTS, to), ports.kafkaPort(to));
            }
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void add(Link link, int port) throws IOException {
        proxies.add(new LinkProxy(link, new InetSocketAddress(proxyHost(link.from(), link.to()), port),
                new InetSocketAddress(LocalCluster.HOST, port)));
    }

    /** The hosts file of node {@code node}: how it reaches every peer. */
    public String nodeHostsFile(int node) {
        StringBuilder out = new StringBuilder("# written by the chaos harness: node " + node + "'s view of its peers\n");
        out.append("127.0.0.1 localhost\n");
        for (int k = 1; k <= ports.nodes(); k++) {
            out.append(k == node ? LocalCluster.HOST : proxyHost(node, k)).append(' ').append(peerName(k)).append('\n');
        }
        return out.toString();
    }

    /** Bootstrap servers through the client proxies. */
    public String bootstrapServers() {
        List<String> out = new ArrayList<>();
        for (int k = 1; k <= ports.nodes(); k++) {
            out.add(peerName(k) + ":" + ports.kafkaPort(k));
        }
        return String.join(",", out);
    }

    /** Replaces the set of cut links; every other link flows. */
    public synchronized void cut(Set<Link> links, CutStyle style) {
        cut.clear();
        cut.addAll(links);
        for (LinkProxy p : proxies) {
            p.set(!cut.contains(p.link()), !cut.contains(p.link().reversed()), style);
        }
    }

    public synchronized void heal() {
        cut(Set.of(), CutStyle.STALL);
    }

    public synchronized Set<Link> currentCut() {
        return Collections.unmodifiableSet(new TreeSet<>(cut));
    }

    @Override
    public synchronized void close() {
        proxies.forEach(LinkProxy::close);
        proxies.clear();
    }

    /**
     * Fails unless this JVM resolves rlog-K to the client proxies, which needs
     * {@code -Djdk.net.hosts.file=chaos-tests/target/classes/rlog-chaos-client-hosts} at JVM start (surefire
     * and bin/rlog pass it).
     */
    public static void requireClientResolution() {
        String expected = proxyHost(Link.CLIENTS, 1);
        String got;
        try {
            got = InetAddress.getByName(peerName(1)).getHostAddress();
        } catch (UnknownHostException e) {
            got = "unresolved";
        }
        if (!expected.equals(got)) {
            throw new IllegalStateException("this JVM resolves " + peerName(1) + " to " + got + ", not " + expected
                    + ": start it with -Djdk.net.hosts.file=<chaos-tests/target/classes/rlog-chaos-client-hosts>"
                    + " (bin/rlog chaos and the chaos-tests surefire run do)");
        }
    }
}
