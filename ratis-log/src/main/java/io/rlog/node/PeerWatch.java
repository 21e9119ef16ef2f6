package io.rlog.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * Tells, within milliseconds, that a peer's process is gone, where Raft alone needs an election timeout.
 *
 * <p>One thread per peer holds a TCP connection to the peer's Raft port. A gRPC server speaks first (HTTP/2's
 * server preface), so a connection that delivered bytes reached a live process. When it ends, the watcher
 * reconnects at once: a process that was killed leaves its port refusing connections (or, behind a proxy,
 * closing them before a byte arrives), and that is the one sign taken as "down". A connection that merely
 * stalls (a paused process, a network cut that drops packets, a dead machine) says nothing, and Raft's own
 * timeouts handle those. The listener hears of each live-to-down change once.
 *
 * <p>Limits: {@code peer.watch.probe.interval.ms} between attempts while a peer is down,
 * {@code peer.watch.connect.timeout.ms} per attempt; one thread per peer.
 */
final class PeerWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PeerWatch.class);

    enum State { UNKNOWN, UP, DOWN }

    private final Map<Integer, State> states = new ConcurrentHashMap<>();
    /** Connection attempts per peer (for tests: a count of probes, not a clock). */
    private final Map<Integer, java.util.concurrent.atomic.AtomicLong> attempts = new ConcurrentHashMap<>();
    /** When each peer last went from up to down (System.nanoTime). */
    private final Map<Integer, Long> downSinceNanos = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<Integer, Socket> sockets = new ConcurrentHashMap<>();
    private final IntConsumer onDown;
    private final int probeIntervalMs;
    private final int connectTimeoutMs;
    private volatile boolean closed;

    /** {@code peers}: node id to the address of its Raft port; {@code onDown} runs on the watcher's thread. */
    PeerWatch(Map<Integer, InetSocketAddress> peers, int probeIntervalMs, int connectTimeoutMs, IntConsumer onDown) {
        this.onDown = onDown;
        this.probeIntervalMs = probeIntervalMs;
        this.connectTimeoutMs = connectTimeoutMs;
        peers.forEach((id, address) -> {
            states.put(id, State.UNKNOWN);
            attempts.put(id, new java.util.concurrent.atomic.AtomicLong());
            Thread t = new Thread(() -> watch(id, address), "rlog-peer-watch-" + id);
            t.setDaemon(true);
            threads.add(t);
        });
    }

    void start() {
        threads.forEach(Thread::start);
    }

    State state(int nodeId) {
        return states.getOrDefault(nodeId, State.UNKNOWN);
    }

    boolean isDown(int nodeId) {
        return state(nodeId) == State.DOWN;
    }

    long attempts(int nodeId) {
        return attempts.get(nodeId).get();
    }

    boolean isUp(int nodeId) {
        return state(nodeId) == State.UP;
    }

    /**
     * Down, and for less than {@code windowMs}: long enough for the elections it sets off. After that, Raft's own
     * view is better evidence than one refused port (a firewall could refuse this node alone).
     */
    boolean isNewlyDown(int nodeId, long windowMs) {
        Long since = downSinceNanos.get(nodeId);
        return isDown(nodeId) && since != null && System.nanoTime() - since < windowMs * 1_000_000L;
    }

    private void watch(int id, InetSocketAddress address) {
        while (!closed) {
            boolean heard = false;
            boolean connected = false;
            boolean refused;
            long connectedNanos = System.nanoTime();
            try (Socket s = new Socket()) {
                sockets.put(id, s);
                attempts.get(id).incrementAndGet();
                if (closed) {
                    return; // close() may have passed over the sockets before this one was added
                }
                // Resolved on every attempt, as a client would: the name may point elsewhere by now.
                s.connect(new InetSocketAddress(address.getHostString(), address.getPort()), connectTimeoutMs);
                if (s.getLocalPort() == s.getPort() && s.getLocalAddress().equals(s.getInetAddress())) {
                    // TCP's self-connect: with nothing listening on a local port in the ephemeral range, the
                    // kernel may pick that very port as the source and connect the socket to itself. Refused.
                    throw new ConnectException("connected to itself: nothing listens on " + address);
                }
                connected = true;
                InputStream in = s.getInputStream();
                byte[] sink = new byte[512];
                while (in.read(sink) >= 0) {
                    if (!heard) {
                        heard = true;
                        set(id, State.UP);
                    }
                }
                refused = !heard; // closed before the peer said anything: a proxy in front of a dead process
            } catch (ConnectException e) {
                refused = true; // the port refuses: nothing listens there
            } catch (IOException e) {
                // A reset before any byte is how a proxy refuses for a dead process. A reset after bytes says the
                // connection went, not the process; an unreachable host or a connect timeout proves nothing.
                refused = connected && !heard;
            } finally {
                sockets.remove(id);
            }
            if (closed) {
                return;
            }
            if (refused) {
                set(id, State.DOWN);
            }
            // A connection that was live and ended: reconnect at once, which tells a dead process from a dropped link
            // (unless it lived less than a probe interval, so a peer that keeps closing it costs no busy loop).
            if (refused || !heard || System.nanoTime() - connectedNanos < probeIntervalMs * 1_000_000L) {
                pause();
            }
        }
    }

    private void set(int id, State next) {
        State previous = states.put(id, next);
        if (previous == next) {
            return;
        }
        LOG.info("peer {} is {}", id, next == State.UP ? "up" : "down (its Raft port refuses connections)");
        if (next == State.DOWN && previous == State.UP && !closed) {
            downSinceNanos.put(id, System.nanoTime());
            try {
                onDown.accept(id);
            } catch (RuntimeException e) {
                LOG.warn("reacting to peer {} going down failed", id, e);
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(probeIntervalMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        sockets.values().forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        });
        threads.forEach(Thread::interrupt);
    }
}
