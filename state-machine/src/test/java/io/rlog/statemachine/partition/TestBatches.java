package io.rlog.statemachine.partition;

import java.nio.ByteBuffer;

/** Builds record batch v2 headers with a payload; the state machine reads only the header. */
final class TestBatches {
    private TestBatches() {}

    static ByteBuffer batch(long producerId, short epoch, int baseSequence, int records, long maxTimestamp) {
        int payload = 8 * records;
        ByteBuffer b = ByteBuffer.allocate(BatchHeader.HEADER_BYTES + payload);
        b.putLong(0, 0L);
        b.putInt(BatchHeader.LENGTH_OFFSET, BatchHeader.HEADER_BYTES - BatchHeader.LEADER_EPOCH_OFFSET + payload);
        b.putInt(BatchHeader.LEADER_EPOCH_OFFSET, -1);
        b.put(BatchHeader.MAGIC_OFFSET, (byte) 2);
        b.putShort(BatchHeader.ATTRIBUTES_OFFSET, (short) 0);
        b.putInt(BatchHeader.LAST_OFFSET_DELTA_OFFSET, records - 1);
        b.putLong(BatchHeader.MAX_TIMESTAMP_OFFSET, maxTimestamp);
        b.putLong(BatchHeader.PRODUCER_ID_OFFSET, producerId);
        b.putShort(BatchHeader.PRODUCER_EPOCH_OFFSET, epoch);
        b.putInt(BatchHeader.BASE_SEQUENCE_OFFSET, baseSequence);
        b.putInt(BatchHeader.RECORD_COUNT_OFFSET, records);
        for (int i = 0; i < records; i++) {
            b.putLong(BatchHeader.HEADER_BYTES + 8 * i, maxTimestamp * 1000 + i);
        }
        return b;
    }

    /** A batch of a transaction (KIP-98): the transactional attribute set. */
    static ByteBuffer txnBatch(long producerId, short epoch, int baseSequence, int records, long maxTimestamp) {
        ByteBuffer b = batch(producerId, epoch, baseSequence, records, maxTimestamp);
        b.putShort(BatchHeader.ATTRIBUTES_OFFSET, (short) BatchHeader.TRANSACTIONAL_FLAG);
        return b;
    }

    static BatchHeader txnHeader(long producerId, short epoch, int baseSequence, int records) {
        try {
            return BatchHeader.parseAll(txnBatch(producerId, epoch, baseSequence, records, 1)).get(0);
        } catch (BatchHeader.MalformedBatchException e) {
            throw new AssertionError(e);
        }
    }

    static BatchHeader header(long producerId, short epoch, int baseSequence, int records) {
        try {
            return BatchHeader.parseAll(batch(producerId, epoch, baseSequence, records, 1)).get(0);
        } catch (BatchHeader.MalformedBatchException e) {
            throw new AssertionError(e);
        }
    }
}
