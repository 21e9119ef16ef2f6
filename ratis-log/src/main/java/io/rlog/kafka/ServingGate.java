package io.rlog.kafka;

import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the listener's requests until the node may answer them, then runs them in the order they came.
 *
 * <p>A node that starts answers from its metadata replica, which knows nothing that was committed while the node
 * was down until the metadata group's leader has sent it the missing entries. Answering before that told clients
 * that topics created meanwhile do not exist (UNKNOWN_TOPIC_OR_PARTITION). A Kafka broker does not process
 * requests before it has caught up with the metadata log; the node does the same with its gate closed until then.
 * Held requests keep their connection's response slots, so the listener's in-flight bound per connection also
 * bounds what waits here, and a client whose request waits too long times out and goes to another node.
 */
public final class ServingGate {
    private static final Logger LOG = LoggerFactory.getLogger(ServingGate.class);

    private final Object lock = new Object();
    /** Requests waiting, in arrival order; null once the gate is open. */
    private ArrayDeque<Runnable> held;
    /** One thread at a time runs the held requests, so they run one after another. */
    private boolean draining;

    private ServingGate(boolean open) {
        this.held = open ? null : new ArrayDeque<>();
    }

    /** A gate that lets everything through (a listener over a broker that is always current). */
    public static ServingGate opened() {
        return new ServingGate(true);
    }

    /** A gate that holds requests until {@link #open()}. */
    public static ServingGate closed() {
        return new ServingGate(false);
    }

    /** Runs {@code request} now if the gate is open, else when it opens, after every request held before it. */
    void submit(Runnable request) {
        synchronized (lock) {
            if (held != null) {
                held.addLast(request);
                return;
            }
        }
        request.run();
    }

    /**
     * Runs the held requests in order on this thread and lets later ones through. A request submitted while they
     * run queues behind them, so none overtakes an earlier one.
     */
    public void open() {
        synchronized (lock) {
            if (held == null || draining) {
                return;
            }
            draining = true;
        }
        while (true) {
            Runnable next;
            synchronized (lock) {
                next = held.pollFirst();
                if (next == null) {
                    held = null;
                    draining = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                // The dispatcher turns handler failures into a closed connection; nothing else may stop the others.
                LOG.error("a held request failed", e);
            }
        }
    }

    public boolean isOpen() {
        synchronized (lock) {
            return held == null;
        }
    }

    /** Requests waiting now (for metrics and tests). */
    public int heldCount() {
        synchronized (lock) {
            return held == null ? 0 : held.size();
        }
    }
}
