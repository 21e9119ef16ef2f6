package io.rlog.kafka.produce;

import io.rlog.broker.ErrorCodes;
import java.util.Iterator;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Checks one partition's records of a produce request before anything is appended: exactly one record batch v2
 * (Kafka's rule for produce v3+), whole, within {@code messageMaxBytes}, CRC valid, offsets consistent with the
 * record count (the state machine assigns {@code lastOffsetDelta + 1} offsets), not a control batch (markers come
 * from the transaction coordinator only), and a transactional batch carries a producer id. Pure: no I/O, no clock.
 */
public final class BatchValidator {

    /** Why a partition's records are refused; {@code errorCode} is a Kafka error code. */
    public record Rejection(short errorCode, String message) {}

    private final int messageMaxBytes;

    public BatchValidator(int messageMaxBytes) {
        this.messageMaxBytes = messageMaxBytes;
    }

    /** Null when the records may be appended as they are. */
    public Rejection check(MemoryRecords records, short produceVersion) {
        if (records == null || records.sizeInBytes() == 0) {
            return invalidRecord("Produce requests must have one record batch per partition, got none");
        }
        int size = records.sizeInBytes();
        if (size > messageMaxBytes) {
            return new Rejection(ErrorCodes.MESSAGE_TOO_LARGE,
                    "Record batch of " + size + " bytes exceeds message.max.bytes " + messageMaxBytes);
        }
        RecordBatch batch;
        try {
            Iterator<? extends RecordBatch> batches = records.batchIterator();
            if (!batches.hasNext()) {
                return corrupt("Record batch of " + size + " bytes is truncated");
            }
            batch = batches.next();
            if (batches.hasNext()) {
                return invalidRecord("Produce requests may carry only one record batch per partition");
            }
        } catch (CorruptRecordException e) {
            return corrupt(e.getMessage());
        }
        if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
            return invalidRecord("Produce requests may carry only record batches with magic 2, got " + batch.magic());
        }
        if (batch.sizeInBytes() != size) {
            return corrupt("Record batch says " + batch.sizeInBytes() + " bytes but " + size + " were sent");
        }
        if (!batch.isValid()) {
            return corrupt("Record batch CRC does not match its contents");
        }
        return checkContents(batch, produceVersion);
    }

    private static Rejection checkContents(RecordBatch batch, short produceVersion) {
        CompressionType compression;
        try {
            compression = batch.compressionType();
        } catch (IllegalArgumentException e) {
            return invalidRecord("Record batch has an unknown compression type: " + e.getMessage());
        }
        if (compression == CompressionType.ZSTD && produceVersion < 7) {
            return new Rejection(Errors.UNSUPPORTED_COMPRESSION_TYPE.code(),
                    "zstd compressed batches need produce v7 or later");
        }
        if (batch.isControlBatch()) {
            return invalidRecord("Control batches come only from the transaction coordinator, not from producers");
        }
        if (batch.isTransactional() && !batch.hasProducerId()) {
            return invalidRecord("A transactional batch must carry a producer id");
        }
        long offsetSpan = batch.lastOffset() - batch.baseOffset() + 1;
        Integer count = batch.countOrNull();
        if (offsetSpan <= 0 || count == null || count <= 0 || count != offsetSpan) {
            return invalidRecord("Record batch count " + count + " does not match its offset span " + offsetSpan);
        }
        return null;
    }

    private static Rejection corrupt(String message) {
        return new Rejection(ErrorCodes.CORRUPT_MESSAGE, message);
    }

    private static Rejection invalidRecord(String message) {
        return new Rejection(ErrorCodes.INVALID_RECORD, message);
    }
}
