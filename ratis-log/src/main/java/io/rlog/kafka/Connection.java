package io.rlog.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: reads size-prefixed frames, keeps one response slot per request in request order, and
 * writes responses in that order even when the broker answers out of order (Kafka clients pipeline requests and
 * match responses by order). All methods run on the owning network thread except {@link #complete} and
 * {@link #requestClose}, which any thread may call.
 */
final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final SocketChannel channel;
    private final SelectionKey key;
    private final NetworkThread owner;
    private final String name;
    private final int socketRequestMaxBytes;
    private final int maxInFlight;

    private final ByteBuffer sizeBuffer = ByteBuffer.allocate(4);
    private ByteBuffer payload; // null while the size prefix is being read
    // Invariant: slots are in request order; a slot leaves only when it and all before it are done.
    private final ArrayDeque<ConnectionSlot> slots = new ArrayDeque<>();
    // Encoded responses whose turn has come, being written.
    private final ArrayDeque<ByteBuffer> writes = new ArrayDeque<>();
    private volatile String closeRequest;
    private boolean closed;

    Connection(SocketChannel channel, SelectionKey key, NetworkThread owner, ListenerConfig config) {
        this.channel = channel;
        this.key = key;
        this.owner = owner;
        this.name = describe(channel);
        this.socketRequestMaxBytes = config.socketRequestMaxBytes();
        this.maxInFlight = config.maxInFlightRequestsPerConnection();
    }

    String name() {
        return name;
    }

    boolean isClosed() {
        return closed;
    }

    /** Reads and dispatches whole frames until the socket is drained or the in-flight limit is reached. */
    void onReadable(RequestDispatcher dispatcher) throws IOException {
        // A close request (a failed acks=0 produce) stops reading at once: Kafka drops what the client sent after it.
        while (!closed && closeRequest == null && pendingResponses() < maxInFlight) {
            if (payload == null) {
                if (channel.read(sizeBuffer) < 0) {
                    close("closed by peer", false);
                    return;
                }
                if (sizeBuffer.hasRemaining()) {
                    break;
                }
                int size = sizeBuffer.getInt(0);
                sizeBuffer.clear();
                if (size < 0 || size > socketRequestMaxBytes) {
                    // Refused before allocating: a length prefix is the cheapest way to ask for memory.
                    closeMalformed("frame size " + size + " exceeds socketRequestMaxBytes " + socketRequestMaxBytes);
                    return;
                }
                payload = ByteBuffer.allocate(size);
            }
            if (channel.read(payload) < 0) {
                close("closed by peer mid-frame", false);
                return;
            }
            if (payload.hasRemaining()) {
                break;
            }
            ByteBuffer frame = payload.flip();
            payload = null;
            dispatcher.dispatch(this, frame);
        }
        flush();
    }

    ConnectionSlot newSlot() {
        ConnectionSlot slot = new ConnectionSlot();
        slots.addLast(slot);
        return slot;
    }

    /** Fills a slot from any thread; the owner sends it when all earlier slots are sent. */
    void complete(ConnectionSlot slot, ByteBuffer responseOrNull) {
        slot.fill(responseOrNull);
        owner.wake(this);
    }

    /** Asks the owner to close this connection, from any thread. */
    void requestClose(String reason) {
        if (closeRequest == null) {
            closeRequest = reason;
        }
        owner.wake(this);
    }

    void closeMalformed(String reason) {
        close(reason, true);
    }

    /** Sends what is ready, in order, and sets the interest ops; runs on the owner after reads and wake-ups. */
    void flush() throws IOException {
        if (closed) {
            return;
        }
        String reason = closeRequest;
        if (reason != null) {
            close(reason, true);
            return;
        }
        while (!slots.isEmpty() && slots.peekFirst().done()) {
            ByteBuffer response = slots.pollFirst().response();
            if (response != null) {
                writes.addLast(response);
            }
        }
        while (!writes.isEmpty()) {
            ByteBuffer head = writes.peekFirst();
            channel.write(head);
            if (head.hasRemaining()) {
                break;
            }
            writes.pollFirst();
        }
        int ops = pendingResponses() < maxInFlight ? SelectionKey.OP_READ : 0;
        if (!writes.isEmpty()) {
            ops |= SelectionKey.OP_WRITE;
        }
        boolean resumeReading = (ops & SelectionKey.OP_READ) != 0 && (key.interestOps() & SelectionKey.OP_READ) == 0;
        key.interestOps(ops);
        if (resumeReading) {
            // Frames may already sit in the socket buffer; the selector would report them anyway, this saves a round.
            onReadable(owner.dispatcher());
        }
    }

    private int pendingResponses() {
        return slots.size() + writes.size();
    }

    void close(String reason, boolean warn) {
        if (closed) {
            return;
        }
        closed = true;
        if (warn) {
            log.warn("Closing Kafka connection from {}: {}", name, reason);
        } else {
            log.debug("Kafka connection from {} {}", name, reason);
        }
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("Closing {} failed: {}", name, e.toString());
        }
        slots.clear();
        writes.clear();
        owner.closed(this);
    }

    private static String describe(SocketChannel channel) {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "unknown peer";
        }
    }
}
