package io.rlog.statemachine.partition;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The bytes of a transaction marker (KIP-98): a record batch v2 with the transactional and control attributes
 * and one control record, as Kafka consumers expect to find it in the log where a transaction ended. Built at
 * apply from the marker alone, so every replica builds the same bytes. The base offset (0) and the partition
 * leader epoch (-1) are placeholders: the store stamps both, as it does for every batch, and the CRC does not
 * cover them.
 *
 * <p>The control record: key = version int16 (0), type int16 (0 abort, 1 commit: Kafka's ControlRecordType);
 * value = version int16 (0), coordinator epoch int32 (Kafka's EndTransactionMarker); no headers. Every length in
 * it is fixed, so the batch is always {@value #SIZE_BYTES} bytes.
 */
final class ControlBatch {

    static final short ABORT = 0;
    static final short COMMIT = 1;
    private static final int KEY_BYTES = 4;
    private static final int VALUE_BYTES = 6;
    /**
     * The record after its length: attributes int8, timestamp delta varlong, offset delta varint, key length
     * varint, key, value length varint, value, header count varint (every varint here fits one byte).
     */
    private static final int RECORD_BODY_BYTES = 1 + 1 + 1 + 1 + KEY_BYTES + 1 + VALUE_BYTES + 1;
    static final int SIZE_BYTES = BatchHeader.HEADER_BYTES + 1 + RECORD_BODY_BYTES;
    private static final int BASE_TIMESTAMP_OFFSET = 27;
    private static final int CRC_OFFSET = 17;

    private ControlBatch() {}

    /** A marker batch for {@code producerId}'s transaction, timestamped {@code timestampMs}; positioned at 0. */
    static ByteBuffer build(long producerId, short producerEpoch, boolean commit, int coordinatorEpoch,
                            long timestampMs) {
        ByteBuffer b = ByteBuffer.allocate(SIZE_BYTES);
        b.putLong(0, 0L);
        b.putInt(BatchHeader.LENGTH_OFFSET, SIZE_BYTES - BatchHeader.LEADER_EPOCH_OFFSET);
        b.putInt(BatchHeader.LEADER_EPOCH_OFFSET, -1);
        b.put(BatchHeader.MAGIC_OFFSET, (byte) 2);
        b.putShort(BatchHeader.ATTRIBUTES_OFFSET, (short) (BatchHeader.TRANSACTIONAL_FLAG | BatchHeader.CONTROL_FLAG));
        b.putInt(BatchHeader.LAST_OFFSET_DELTA_OFFSET, 0);
        b.putLong(BASE_TIMESTAMP_OFFSET, timestampMs);
        b.putLong(BatchHeader.MAX_TIMESTAMP_OFFSET, timestampMs);
        b.putLong(BatchHeader.PRODUCER_ID_OFFSET, producerId);
        b.putShort(BatchHeader.PRODUCER_EPOCH_OFFSET, producerEpoch);
        b.putInt(BatchHeader.BASE_SEQUENCE_OFFSET, -1);
        b.putInt(BatchHeader.RECORD_COUNT_OFFSET, 1);
        b.position(BatchHeader.HEADER_BYTES);
        b.put(zigzag(RECORD_BODY_BYTES));
        b.put((byte) 0);              // record attributes (unused)
        b.put(zigzag(0));             // timestamp delta
        b.put(zigzag(0));             // offset delta
        b.put(zigzag(KEY_BYTES));
        b.putShort((short) 0).putShort(commit ? COMMIT : ABORT);
        b.put(zigzag(VALUE_BYTES));
        b.putShort((short) 0).putInt(coordinatorEpoch);
        b.put(zigzag(0));             // header count
        if (b.position() != SIZE_BYTES) {
            throw new IllegalStateException("control batch is " + b.position() + " bytes, expected " + SIZE_BYTES);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.slice(BatchHeader.ATTRIBUTES_OFFSET, SIZE_BYTES - BatchHeader.ATTRIBUTES_OFFSET));
        b.putInt(CRC_OFFSET, (int) crc.getValue());
        return b.position(0);
    }

    /** A varint of a small non-negative value: zigzag-encoded, it must fit one byte (values 0 to 63). */
    private static byte zigzag(int value) {
        if (value < 0 || value > 63) {
            throw new IllegalArgumentException("not a one-byte varint: " + value);
        }
        return (byte) (value << 1);
    }
}
