package io.rlog.kafka;

import java.nio.ByteBuffer;

/**
 * The place of one request's response in its connection's response order. Filled once, from any thread; read by
 * the connection's network thread, which sends slots strictly in creation order.
 */
final class ConnectionSlot {
    private volatile ByteBuffer response;
    // Written after response, so a reader that sees done also sees response.
    private volatile boolean done;

    void fill(ByteBuffer responseOrNull) {
        if (done) {
            throw new IllegalStateException("response slot filled twice");
        }
        response = responseOrNull;
        done = true;
    }

    boolean done() {
        return done;
    }

    /** The encoded frame, or null for a request that gets no response (produce with acks=0). */
    ByteBuffer response() {
        return response;
    }
}
