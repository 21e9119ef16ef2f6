package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rlog.broker.ErrorCodes;
import io.rlog.kafka.produce.BatchValidator;
import io.rlog.kafka.produce.BatchValidator.Rejection;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class BatchValidatorTest {
    private static final short PRODUCE_V12 = 12;
    // Byte 16 is the magic; from byte 17 on everything is the CRC or covered by it.
    private static final int FIRST_CHECKED_BYTE = 16;

    private final BatchValidator validator = new BatchValidator(1 << 20);

    @Test
    void acceptsAWellFormedBatch() {
        assertNull(validator.check(Requests.batch("a", "b", "c"), PRODUCE_V12));
        assertNull(validator.check(MemoryRecords.withRecords(Compression.lz4().build(),
                new SimpleRecord("x".getBytes()), new SimpleRecord("y".getBytes())), PRODUCE_V12));
    }

    @Property
    void anyFlippedBitFromTheMagicOnIsRefused(@ForAll @IntRange(min = 0, max = 1000) int position,
                                              @ForAll @IntRange(min = 0, max = 7) int bit) {
        MemoryRecords records = Requests.batch("some value", "another value");
        ByteBuffer buffer = records.buffer();
        int index = FIRST_CHECKED_BYTE + position % (buffer.limit() - FIRST_CHECKED_BYTE);
        buffer.put(index, (byte) (buffer.get(index) ^ (1 << bit)));
        assertNotNull(validator.check(MemoryRecords.readableRecords(buffer), PRODUCE_V12), "flip at " + index);
    }

    @Test
    void refusesEmptyTruncatedTrailingAndDoubleBatches() {
        assertEquals(ErrorCodes.INVALID_RECORD, validator.check(MemoryRecords.EMPTY, PRODUCE_V12).errorCode());
        ByteBuffer whole = Requests.batch("abc").buffer();
        ByteBuffer truncated = whole.duplicate().limit(whole.limit() - 1).slice();
        assertEquals(ErrorCodes.CORRUPT_MESSAGE,
                validator.check(MemoryRecords.readableRecords(truncated), PRODUCE_V12).errorCode());
        ByteBuffer trailing = ByteBuffer.allocate(whole.limit() + 3).put(whole.duplicate()).put(new byte[3]).flip();
        assertEquals(ErrorCodes.CORRUPT_MESSAGE,
                validator.check(MemoryRecords.readableRecords(trailing), PRODUCE_V12).errorCode());
        ByteBuffer twice = ByteBuffer.allocate(whole.limit() * 2).put(whole.duplicate()).put(whole.duplicate()).flip();
        assertEquals(ErrorCodes.INVALID_RECORD,
                validator.check(MemoryRecords.readableRecords(twice), PRODUCE_V12).errorCode());
    }

    @Test
    void refusesOversizedControlAndEarlyZstdBatchesButTakesTransactionalOnes() {
        Rejection tooLarge = new BatchValidator(100).check(Requests.batch("x".repeat(200)), PRODUCE_V12);
        assertEquals(ErrorCodes.MESSAGE_TOO_LARGE, tooLarge.errorCode());
        MemoryRecords transactional = MemoryRecords.withTransactionalRecords(Compression.NONE, 7L, (short) 0, 0,
                new SimpleRecord("t".getBytes()));
        assertNull(validator.check(transactional, PRODUCE_V12));
        // Markers are the coordinator's: a producer sending one is refused.
        MemoryRecords marker = MemoryRecords.withEndTransactionMarker(0L, 0L, 0, 7L, (short) 0,
                new org.apache.kafka.common.record.internal.EndTransactionMarker(
                        org.apache.kafka.common.record.internal.ControlRecordType.COMMIT, 0));
        assertEquals(ErrorCodes.INVALID_RECORD, validator.check(marker, PRODUCE_V12).errorCode());
        MemoryRecords zstd = MemoryRecords.withRecords(Compression.zstd().build(), new SimpleRecord("z".getBytes()));
        assertEquals(Errors.UNSUPPORTED_COMPRESSION_TYPE.code(), validator.check(zstd, (short) 6).errorCode());
        assertNull(validator.check(zstd, (short) 7));
    }
}
