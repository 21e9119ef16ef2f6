package io.rlog.chaos.nemesis;

/**
 * A directed link: the bytes that flow from {@code from} to {@code to}, whichever side opened the connection.
 * Nodes are 1..N; {@link #CLIENTS} stands for every client of the harness. Cutting a link drops that direction
 * only (a one-way partition); a symmetric cut is both links.
 */
public record Link(int from, int to) implements Comparable<Link> {
    /** The clients' pseudo node id: also the second byte of the client proxies' addresses (127.100.K.1). */
    public static final int CLIENTS = 100;

    public Link {
        if (from == to) {
            throw new IllegalArgumentException("a link joins two different ends, got " + from + "->" + to);
        }
    }

    public Link reversed() {
        return new Link(to, from);
    }

    @Override
    public int compareTo(Link o) {
        return from != o.from ? Integer.compare(from, o.from) : Integer.compare(to, o.to);
    }

    @Override
    public String toString() {
        return (from == CLIENTS ? "c" : Integer.toString(from)) + ">" + (to == CLIENTS ? "c" : Integer.toString(to));
    }
}
