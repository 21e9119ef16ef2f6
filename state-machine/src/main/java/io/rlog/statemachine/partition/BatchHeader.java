package io.rlog.statemachine.partition;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a Kafka record batch (magic 2) header that apply needs, read straight from the bytes so the
 * state machine needs no Kafka library. Layout (KIP-98): baseOffset int64, batchLength int32,
 * partitionLeaderEpoch int32, magic int8, crc uint32, attributes int16, lastOffsetDelta int32,
 * baseTimestamp int64, maxTimestamp int64, producerId int64, producerEpoch int16, baseSequence int32,
 * recordCount int32; 61 bytes in all. The CRC covers attributes to the end, so baseOffset and
 * partitionLeaderEpoch can be rewritten without recomputing it.
 *
 * @param position where the batch starts in the buffer it was parsed from
 * @param sizeBytes the whole batch, header included
 */
public record BatchHeader(int position, int sizeBytes, short attributes, int lastOffsetDelta, long maxTimestamp,
                          long producerId, short producerEpoch, int baseSequence, int recordCount) {

    public static final int HEADER_BYTES = 61;
    static final int LENGTH_OFFSET = 8;
    static final int LEADER_EPOCH_OFFSET = 12;
    static final int MAGIC_OFFSET = 16;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int PRODUCER_ID_OFFSET = 43;
    static final int PRODUCER_EPOCH_OFFSET = 51;
    static final int BASE_SEQUENCE_OFFSET = 53;
    static final int RECORD_COUNT_OFFSET = 57;
    /** Bit 4 of the attributes: the batch belongs to a transaction (KIP-98). */
    static final int TRANSACTIONAL_FLAG = 0x10;
    /** Bit 5 of the attributes: a control batch (transaction markers). */
    static final int CONTROL_FLAG = 0x20;

    /** Thrown for bytes that are not a sequence of whole magic-2 batches. */
    public static final class MalformedBatchException extends Exception {
        public MalformedBatchException(String message) {
            super(message);
        }
    }

    public boolean idempotent() {
        return producerId >= 0;
    }

    public boolean transactional() {
        return (attributes & TRANSACTIONAL_FLAG) != 0;
    }

    public boolean control() {
        return (attributes & CONTROL_FLAG) != 0;
    }

    /** The sequence of the batch's last record; sequences wrap from Integer.MAX_VALUE to 0 (KIP-98). */
    public int lastSequence() {
        long last = (long) baseSequence + lastOffsetDelta;
        return (int) (last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    /** Parses every batch in {@code buf} (position to limit) without moving its position. */
    public static List<BatchHeader> parseAll(ByteBuffer buf) throws MalformedBatchException {
        List<BatchHeader> headers = new ArrayList<>();
        int pos = buf.position();
        int end = buf.limit();
        if (pos == end) {
            throw new MalformedBatchException("no record batch");
        }
        while (pos < end) {
            if (end - pos < HEADER_BYTES) {
                throw new MalformedBatchException("truncated batch header at byte " + pos);
            }
            int length = buf.getInt(pos + LENGTH_OFFSET);
            int size = length + LEADER_EPOCH_OFFSET;
            if (length < HEADER_BYTES - LEADER_EPOCH_OFFSET || size > end - pos) {
                throw new MalformedBatchException("batch length " + length + " does not fit at byte " + pos);
            }
            byte magic = buf.get(pos + MAGIC_OFFSET);
            if (magic != 2) {
                throw new MalformedBatchException("record batch magic " + magic + " is not supported (only 2)");
            }
            int lastOffsetDelta = buf.getInt(pos + LAST_OFFSET_DELTA_OFFSET);
            int recordCount = buf.getInt(pos + RECORD_COUNT_OFFSET);
            if (lastOffsetDelta < 0 || recordCount <= 0) {
                throw new MalformedBatchException("batch at byte " + pos + " has lastOffsetDelta " + lastOffsetDelta
                        + " and " + recordCount + " records");
            }
            headers.add(new BatchHeader(pos, size, buf.getShort(pos + ATTRIBUTES_OFFSET), lastOffsetDelta,
                    buf.getLong(pos + MAX_TIMESTAMP_OFFSET), buf.getLong(pos + PRODUCER_ID_OFFSET),
                    buf.getShort(pos + PRODUCER_EPOCH_OFFSET), buf.getInt(pos + BASE_SEQUENCE_OFFSET), recordCount));
            pos += size;
        }
        return headers;
    }

    /** Writes the final base offset and leader epoch into the batch starting at {@code position}. */
    public static void stamp(ByteBuffer buf, int position, long baseOffset, int leaderEpoch) {
        buf.putLong(position, baseOffset);
        buf.putInt(position + LEADER_EPOCH_OFFSET, leaderEpoch);
    }
}
