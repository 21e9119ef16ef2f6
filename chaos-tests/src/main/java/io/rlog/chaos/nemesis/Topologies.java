package io.rlog.chaos.nemesis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Network partition shapes as sets of cut links (Jepsen's nemesis grudges). Pure. Nodes are 1..n.
 */
public final class Topologies {
    private Topologies() {}

    /** Every link between the nodes of {@code side} and the rest, both ways. */
    public static Set<Link> isolate(Collection<Integer> side, int n) {
        Set<Link> out = new TreeSet<>();
        for (int a : side) {
            for (int b = 1; b <= n; b++) {
                if (!side.contains(b)) {
                    out.add(new Link(a, b));
                    out.add(new Link(b, a));
                }
            }
        }
        return out;
    }

    /** Only the links from {@code senders} to the rest: the rest stop hearing them, they still hear the rest. */
    public static Set<Link> oneWay(Collection<Integer> senders, int n) {
        Set<Link> out = new TreeSet<>();
        for (Link l : isolate(senders, n)) {
            if (senders.contains(l.from())) {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * Majorities ring (Jepsen): each node sees a majority (itself and its nearest neighbours on a ring), and no
     * two nodes see the same majority. With 3 nodes every majority is everyone, so this degenerates to nothing
     * being cut; callers use it with 5 or more.
     */
    public static Set<Link> majoritiesRing(List<Integer> ringOrder) {
        int n = ringOrder.size();
        int majority = n / 2 + 1;
        int reach = majority / 2; // neighbours on each side: 1 + 2 * reach >= majority
        Set<Link> out = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int d = Math.abs(i - j);
                int ringDistance = Math.min(d, n - d);
                if (i != j && ringDistance > reach) {
                    out.add(new Link(ringOrder.get(i), ringOrder.get(j)));
                }
            }
        }
        return out;
    }

    /**
     * Bridge (Jepsen): two halves that cannot see each other, and one node that sees both. With 3 nodes: the
     * two other nodes are cut from each other.
     */
    public static Set<Link> bridge(int bridgeNode, List<Integer> others) {
        List<Integer> left = new ArrayList<>(others.subList(0, others.size() / 2));
        List<Integer> right = new ArrayList<>(others.subList(others.size() / 2, others.size()));
        Set<Link> out = new TreeSet<>();
        for (int a : left) {
            for (int b : right) {
                out.add(new Link(a, b));
                out.add(new Link(b, a));
            }
        }
        return out;
    }

    /** Clients cannot reach the node and the node cannot answer them; the nodes still see each other. */
    public static Set<Link> clientsFrom(int node) {
        return Set.of(new Link(Link.CLIENTS, node), new Link(node, Link.CLIENTS));
    }

    public static Set<Integer> nodes(Set<Link> links) {
        Set<Integer> out = new TreeSet<>();
        links.forEach(l -> {
            out.add(l.from());
            out.add(l.to());
        });
        return out;
    }
}
