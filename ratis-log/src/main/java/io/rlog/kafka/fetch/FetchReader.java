package io.rlog.kafka.fetch;

import io.rlog.broker.Broker;
import io.rlog.broker.Broker.ReadOutcome;
import io.rlog.broker.ErrorCodes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every partition of one fetch from the broker within the response's byte budget. Kafka's rule (KIP-74):
 * only the first partition that returns data may exceed the partition or response limit, by its first batch, so a
 * consumer never stalls on a batch larger than its limits; later partitions whose data does not fit return none.
 */
final class FetchReader {

    /** One requested partition; {@code known} is false when the cluster view has no such topic partition. */
    record Target(String topic, int partition, long fetchOffset, int partitionMaxBytes, boolean known) {}

    /**
     * A partition's answer: error, offsets, and the whole batches to return (possibly none); at read_committed the
     * aborted transactions those batches overlap.
     */
    record Read(Target target, short errorCode, long highWatermark, long logStartOffset, ByteBuffer records,
                long lastStableOffset, List<Broker.AbortedTransaction> abortedTransactions) {
        Read(Target target, short errorCode, long highWatermark, long logStartOffset, ByteBuffer records) {
            this(target, errorCode, highWatermark, logStartOffset, records, highWatermark, List.of());
        }

        int sizeInBytes() {
            return records.remaining();
        }
    }

    /** All partitions' answers, in request order. */
    record ReadSet(List<Read> reads, int totalBytes, boolean anyError) {}

    private static final ByteBuffer NO_RECORDS = ByteBuffer.allocate(0);

    private final Broker broker;
    private final List<Target> targets;
    private final int responseMaxBytes;
    private final boolean leaderOnly;
    private final boolean readCommitted;

    FetchReader(Broker broker, List<Target> targets, int responseMaxBytes, boolean leaderOnly) {
        this(broker, targets, responseMaxBytes, leaderOnly, false);
    }

    /** {@code readCommitted}: isolation level READ_COMMITTED (records up to each partition's last stable offset). */
    FetchReader(Broker broker, List<Target> targets, int responseMaxBytes, boolean leaderOnly, boolean readCommitted) {
        this.broker = broker;
        this.targets = targets;
        this.responseMaxBytes = responseMaxBytes;
        this.leaderOnly = leaderOnly;
        this.readCommitted = readCommitted;
    }

    List<Target> targets() {
        return targets;
    }

    ReadSet readAll() {
        List<Read> reads = new ArrayList<>(targets.size());
        int remaining = Math.max(responseMaxBytes, 0);
        boolean anyRecords = false;
        boolean anyError = false;
        int total = 0;
        for (Target target : targets) {
            if (!target.known()) {
                reads.add(new Read(target, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, -1, -1, NO_RECORDS));
                anyError = true;
                continue;
            }
            int limit = Math.max(0, Math.min(target.partitionMaxBytes(), remaining));
            ReadOutcome outcome = broker.read(target.topic(), target.partition(), target.fetchOffset(), limit, leaderOnly,
                    readCommitted);
            ByteBuffer records = outcome.records() == null ? NO_RECORDS : outcome.records().duplicate();
            if (outcome.errorCode() != ErrorCodes.NONE) {
                anyError = true;
                records = NO_RECORDS;
            } else if (anyRecords && records.remaining() > limit) {
                records = NO_RECORDS; // only the first partition with data may exceed the limits
            }
            if (records.hasRemaining()) {
                anyRecords = true;
                remaining -= records.remaining();
                total += records.remaining();
            }
            // Aborted transactions matter only with the records they overlap.
            List<Broker.AbortedTransaction> aborted = records.hasRemaining() && outcome.abortedTransactions() != null
                    ? outcome.abortedTransactions() : List.of();
            reads.add(new Read(target, outcome.errorCode(), outcome.highWatermark(), outcome.logStartOffset(), records,
                    outcome.lastStableOffset(), aborted));
        }
        return new ReadSet(reads, total, anyError);
    }
}
