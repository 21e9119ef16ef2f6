package io.rlog.cli.bench;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * A benchmark record's value: a 24-byte header (run id, sequence number, send time) then filler letters up to
 * the record size. The (run id, sequence) pair makes every value unique, so loss and duplication are exact;
 * the send time (this JVM's {@link System#nanoTime}) gives the end-to-end latency in the consumer of the same
 * process. The filler is random upper-case letters, as Kafka's ProducerPerformance sends: compressible about
 * as much as text is, so --compression has something to do.
 */
public final class RecordValue {
    public static final int HEADER_BYTES = 24;
    /** Filler variants, so compression does not see one repeated value. */
    private static final int FILLERS = 32;

    private final long runId;
    private final int size;
    private final byte[][] fillers;

    public RecordValue(long runId, int size, long seed) {
        if (size < HEADER_BYTES) {
            throw new IllegalArgumentException("record size must be >= " + HEADER_BYTES + ", got " + size);
        }
        this.runId = runId;
        this.size = size;
        Random random = new Random(seed);
        fillers = new byte[FILLERS][size];
        for (byte[] f : fillers) {
            for (int i = HEADER_BYTES; i < size; i++) {
                f[i] = (byte) ('A' + random.nextInt(26));
            }
        }
    }

    /** A fresh array: the producer may still hold the previous one. */
    public byte[] encode(long seq, long sendNanos) {
        byte[] out = fillers[(int) (seq % FILLERS)].clone();
        ByteBuffer.wrap(out).putLong(runId).putLong(seq).putLong(sendNanos);
        return out;
    }

    /** The header of a value, or null when it is too short or comes from another run. */
    public Header decode(byte[] value) {
        if (value == null || value.length < HEADER_BYTES) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        if (b.getLong() != runId) {
            return null;
        }
        return new Header(b.getLong(), b.getLong());
    }

    public int size() {
        return size;
    }

    public record Header(long seq, long sendNanos) {}
}
