package io.rlog.statemachine.partition;

import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The marker batches apply builds are what Kafka's own client library reads (and writes) as transaction markers. */
class ControlBatchTest {

    @Test
    void kafkaClientsParseCommitAndAbortMarkers() throws Exception {
        for (boolean commit : new boolean[] {true, false}) {
            ByteBuffer built = ControlBatch.build(4242, (short) 7, commit, 13, 1_700_000_000_123L);
            assertEquals(ControlBatch.SIZE_BYTES, built.remaining());
            // Stamped as the store stamps every batch: the CRC must not cover these.
            ByteBuffer stored = ByteBuffer.allocate(built.remaining()).put(built.duplicate()).flip();
            BatchHeader.stamp(stored, 0, 99, 5);

            List<MutableRecordBatch> batches = new ArrayList<>();
            MemoryRecords.readableRecords(stored).batches().forEach(batches::add);
            assertEquals(1, batches.size());
            MutableRecordBatch batch = batches.get(0);
            batch.ensureValid(); // the CRC
            assertTrue(batch.isControlBatch());
            assertTrue(batch.isTransactional());
            assertEquals(99, batch.baseOffset());
            assertEquals(99, batch.lastOffset());
            assertEquals(5, batch.partitionLeaderEpoch());
            assertEquals(4242, batch.producerId());
            assertEquals(7, batch.producerEpoch());
            assertEquals(-1, batch.baseSequence());
            assertEquals(1_700_000_000_123L, batch.maxTimestamp());
            List<Record> records = new ArrayList<>();
            batch.forEach(records::add);
            assertEquals(1, records.size());
            Record record = records.get(0);
            assertEquals(99, record.offset());
            assertEquals(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, ControlRecordType.parse(record.key()));
            EndTransactionMarker marker = EndTransactionMarker.deserialize(record);
            assertEquals(13, marker.coordinatorEpoch());
            assertEquals(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, marker.controlType());

            // And they are byte for byte the batch Kafka's own writer makes for the same marker.
            ByteBuffer kafkas = MemoryRecords.withEndTransactionMarker(0, 1_700_000_000_123L, -1, 4242, (short) 7,
                    new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 13)).buffer();
            assertEquals(kafkas, built);
        }
    }

    @Test
    void theHeaderReaderSeesAControlBatch() throws Exception {
        BatchHeader h = BatchHeader.parseAll(ControlBatch.build(1, (short) 0, true, 0, 5)).get(0);
        assertTrue(h.control());
        assertTrue(h.transactional());
        assertEquals(0, h.lastOffsetDelta());
        assertEquals(1, h.recordCount());
        assertEquals(5, h.maxTimestamp());
        assertEquals(ControlBatch.SIZE_BYTES, h.sizeBytes());
    }
}
