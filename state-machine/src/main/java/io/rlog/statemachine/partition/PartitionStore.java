package io.rlog.statemachine.partition;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rlog.proto.ProducerEntry;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One partition's RocksDB: record batches by base offset, the producer table, the offsets and the applied
 * (term, index), all in one column family so that a crash without RocksDB's WAL recovers a consistent prefix
 * of write batches. The Raft log is the write-ahead log: entries above the recovered applied index are
 * applied again by Ratis on restart.
 *
 * <p>Keys: {@code 'b' + offset(8, big-endian)} → batch bytes; {@code 'p' + producerId(8)} → ProducerEntry;
 * {@code 'm' + name} → 8-byte values. Thread: writes from the apply thread only; reads from any thread.
 */
public final class PartitionStore implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    private static final byte BATCH = 'b';
    private static final byte PRODUCER = 'p';
    private static final byte[] META_LOG_START = meta("logStart");
    private static final byte[] META_LOG_END = meta("logEnd");
    private static final byte[] META_MAX_TS = meta("maxTimestamp");
    private static final byte[] META_MAX_TS_OFFSET = meta("maxTimestampOffset");
    private static final byte[] META_APPLIED_TERM = meta("appliedTerm");
    private static final byte[] META_APPLIED_INDEX = meta("appliedIndex");

    /** What {@link #load()} reads back. */
    public record Snapshot(long logStartOffset, long logEndOffset, long maxTimestamp, long maxTimestampOffset,
                           long appliedTerm, long appliedIndex, Map<Long, ProducerEntry> producers) {}

    private final Path dir;
    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;

    public PartitionStore(Path dir) throws RocksDBException {
        this.dir = dir;
        this.options = new Options().setCreateIfMissing(true)
                // Small per-partition footprint: a node hosts many partitions.
                .setWriteBufferSize(8L << 20).setMaxWriteBufferNumber(2).setKeepLogFileNum(2)
                .setMaxLogFileSize(1L << 20)
                // Like Kafka's compression.type=producer: batches are stored as the producer compressed them (or
                // not); compressing them again would spend the node's CPU on every flush and compaction.
                .setCompressionType(CompressionType.NO_COMPRESSION);
        this.writeOptions = new WriteOptions().setDisableWAL(true);
        this.db = RocksDB.open(options, dir.toString());
    }

    public Path dir() {
        return dir;
    }

    public Snapshot load() throws RocksDBException, InvalidProtocolBufferException {
        Map<Long, ProducerEntry> producers = new HashMap<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(new byte[] {PRODUCER}); it.isValid() && it.key()[0] == PRODUCER; it.next()) {
                producers.put(ByteBuffer.wrap(it.key(), 1, 8).getLong(), ProducerEntry.parseFrom(it.value()));
            }
        }
        return new Snapshot(getLong(META_LOG_START, 0), getLong(META_LOG_END, 0), getLong(META_MAX_TS, -1),
                getLong(META_MAX_TS_OFFSET, -1), getLong(META_APPLIED_TERM, 0), getLong(META_APPLIED_INDEX, -1),
                producers);
    }

    /** One applied produce request: its outcome and its batches, already carrying their final offsets. */
    public record Write(PartitionLog.Appended appended, ByteBuffer batches) {}

    /**
     * Persists one applied entry's effects atomically: the batches and producer states of every request in it
     * (a later request's producer state replaces an earlier one's), the log's bounds and the applied (term,
     * index).
     */
    public void writeAppends(java.util.List<Write> writes, PartitionLog log, long term, long index)
            throws RocksDBException {
        try (WriteBatch wb = new WriteBatch()) {
            for (Write w : writes) {
                for (PartitionLog.Placement p : w.appended().placements()) {
                    byte[] value = new byte[p.header().sizeBytes()];
                    w.batches().get(p.header().position(), value);
                    wb.put(batchKey(p.baseOffset()), value);
                }
                for (Map.Entry<Long, ProducerEntry> e : w.appended().producerUpdates().entrySet()) {
                    wb.put(producerKey(e.getKey()), e.getValue().toByteArray());
                }
            }
            wb.put(META_LOG_START, longBytes(log.logStartOffset()));
            wb.put(META_LOG_END, longBytes(log.logEndOffset()));
            wb.put(META_MAX_TS, longBytes(log.maxTimestamp()));
            wb.put(META_MAX_TS_OFFSET, longBytes(log.maxTimestampOffset()));
            putApplied(wb, term, index);
            db.write(writeOptions, wb);
        }
    }

    /** Persists only the applied (term, index), for entries that change nothing else. */
    public void writeApplied(long term, long index) throws RocksDBException {
        try (WriteBatch wb = new WriteBatch()) {
            putApplied(wb, term, index);
            db.write(writeOptions, wb);
        }
    }

    private static void putApplied(WriteBatch wb, long term, long index) throws RocksDBException {
        wb.put(META_APPLIED_TERM, longBytes(term));
        wb.put(META_APPLIED_INDEX, longBytes(index));
    }

    /**
     * Whole batches from the one holding {@code fetchOffset}, stopping before {@code endOffset} (the high
     * watermark) and once {@code maxBytes} is reached; the first batch is always returned whole.
     */
    public ByteBuffer read(long fetchOffset, long endOffset, int maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
            it.seekForPrev(batchKey(fetchOffset));
            if (!it.isValid() || it.key()[0] != BATCH) {
                it.seek(batchKey(fetchOffset));
            }
            for (; it.isValid() && it.key()[0] == BATCH; it.next()) {
                long base = ByteBuffer.wrap(it.key(), 1, 8).getLong();
                if (base >= endOffset) {
                    break;
                }
                byte[] value = it.value();
                long last = base + ByteBuffer.wrap(value).getInt(BatchHeader.LAST_OFFSET_DELTA_OFFSET);
                if (last < fetchOffset) {
                    continue;
                }
                if (out.size() > 0 && out.size() + value.length > maxBytes) {
                    break;
                }
                out.write(value, 0, value.length);
                if (out.size() >= maxBytes) {
                    break;
                }
            }
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** The base offset of the first batch whose max timestamp is at least {@code timestamp}, or -1. */
    public long offsetForTimestamp(long timestamp, long endOffset) {
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(new byte[] {BATCH}); it.isValid() && it.key()[0] == BATCH; it.next()) {
                long base = ByteBuffer.wrap(it.key(), 1, 8).getLong();
                if (base >= endOffset) {
                    return -1;
                }
                if (ByteBuffer.wrap(it.value()).getLong(BatchHeader.MAX_TIMESTAMP_OFFSET) >= timestamp) {
                    return base;
                }
            }
        }
        return -1;
    }

    /** Flushes the memtables and writes a checkpoint (hard links where possible) into {@code target}. */
    public void checkpoint(Path target) throws RocksDBException {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo);
        }
        try (Checkpoint cp = Checkpoint.create(db)) {
            cp.createCheckpoint(target.toString());
        }
    }

    /** Flushes memtables so that everything written so far survives a crash. */
    public void flush() throws RocksDBException {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo);
        }
    }

    /**
     * Writes keys of another owner of this database (the consumer-group state of a {@code __consumer_offsets}
     * partition: 'o' and 'g' keys) with the applied (term, index), atomically.
     */
    public void writeEntries(java.util.List<byte[][]> puts, java.util.List<byte[]> deletes, long term, long index)
            throws RocksDBException {
        try (WriteBatch wb = new WriteBatch()) {
            for (byte[][] kv : puts) {
                wb.put(kv[0], kv[1]);
            }
            for (byte[] k : deletes) {
                wb.delete(k);
            }
            putApplied(wb, term, index);
            db.write(writeOptions, wb);
        }
    }

    /** Visits every key and value whose key starts with {@code prefix}, in key order. */
    public void scan(byte[] prefix, java.util.function.BiConsumer<byte[], byte[]> visitor) {
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                visitor.accept(it.key(), it.value());
            }
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Every key and value, in key order; for tests that compare replicas. */
    public Map<String, byte[]> dump() {
        Map<String, byte[]> all = new java.util.TreeMap<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                all.put(java.util.HexFormat.of().formatHex(it.key()), it.value());
            }
        }
        return all;
    }

    private long getLong(byte[] key, long absent) throws RocksDBException {
        byte[] v = db.get(key);
        return v == null ? absent : ByteBuffer.wrap(v).getLong();
    }

    @Override
    public void close() {
        db.close();
        writeOptions.close();
        options.close();
    }

    static byte[] batchKey(long offset) {
        return ByteBuffer.allocate(9).order(ByteOrder.BIG_ENDIAN).put(BATCH).putLong(offset).array();
    }

    static byte[] producerKey(long producerId) {
        return ByteBuffer.allocate(9).put(PRODUCER).putLong(producerId).array();
    }

    private static byte[] meta(String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] k = new byte[n.length + 1];
        k[0] = 'm';
        System.arraycopy(n, 0, k, 1, n.length);
        return k;
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }
}
