package io.rlog.statemachine.partition;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.nio.file.ExtendedOpenOption;
import io.rlog.proto.ProducerEntry;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One partition's RocksDB: record batches by base offset in their own column family; the producer table, the
 * log's bounds, the applied (term, index) and any other owner's keys in the default one. Every write batch
 * spans both, and the two are flushed together (RocksDB's atomic flush), so a crash without RocksDB's WAL
 * recovers the same consistent prefix of write batches in both. The Raft log is the write-ahead log: entries
 * above the recovered applied index are applied again by Ratis on restart.
 *
 * <p>Batches are apart because their keys only grow: each flushed file of that family covers a key range after
 * every earlier file's, so RocksDB moves files down its levels without rewriting them. With the bounds and the
 * applied index in the same family, every flushed file overlapped the previous ones and each compaction
 * rewrote the newest batches again (a tenth of each node's CPU under load).
 *
 * <p>Keys: {@code 'b' + offset(8, big-endian)} → batch bytes (batch family); {@code 'p' + producerId(8)} →
 * ProducerEntry; {@code 'm' + name} → 8-byte values. Thread: writes from the apply thread only; reads from any
 * thread.
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

    static final String BATCH_FAMILY = "batches";
    /** The largest write batch of the one-time move of an old store's batches into their own family. */
    private static final long MOVE_BYTES_MAX = 16L << 20;

    private final Path dir;
    private final DBOptions options;
    private final ColumnFamilyOptions stateOptions;
    private final ColumnFamilyOptions batchOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle state;
    private final ColumnFamilyHandle batches;

    /**
     * How flushes and compactions write their files. {@code directIo}: with O_DIRECT, bypassing the page cache
     * (less CPU); else buffered, with {@code bytesPerSync} > 0 asking the kernel to start writing back every
     * that many bytes (sync_file_range) instead of all at the file's final fsync. The default is buffered with
     * 1 MB syncs: direct I/O's large writes stalled the Raft logs' fsyncs (docs/design-decisions.md).
     */
    public record FileWrites(boolean directIo, long bytesPerSync) {
        public static final FileWrites DEFAULT = new FileWrites(false, 1L << 20);

        public FileWrites {
            if (bytesPerSync < 0) {
                throw new IllegalArgumentException("bytesPerSync must be >= 0, got " + bytesPerSync);
            }
        }
    }

    public PartitionStore(Path dir) throws RocksDBException {
        this(dir, FileWrites.DEFAULT);
    }

    public PartitionStore(Path dir, FileWrites writes) throws RocksDBException {
        this.dir = dir;
        this.options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                // No WAL: the two families must reach disk together or a crash could recover them at different
                // write batches.
                .setAtomicFlush(true)
                .setKeepLogFileNum(2).setMaxLogFileSize(1L << 20)
                // By default flushes and compactions write through the page cache, with write-back started every
                // 1 MB so that a flush reaches the disk as a stream of small writes a Raft log's fsync can pass.
                // Direct I/O saves the kernel's copy (8-9 % of a node's CPU on 2 cores) but its large writes
                // stalled the fsyncs. docs/design-decisions.md has the measurements.
                .setUseDirectIoForFlushAndCompaction(writes.directIo() && directIoSupported(dir))
                .setBytesPerSync(writes.directIo() ? 0 : writes.bytesPerSync());
        // Small per-partition footprint: a node hosts many partitions. Like Kafka's compression.type=producer,
        // batches are stored as the producer compressed them (or not); compressing them again would spend the
        // node's CPU on every flush and compaction.
        this.stateOptions = new ColumnFamilyOptions().setWriteBufferSize(1L << 20).setMaxWriteBufferNumber(2)
                .setCompressionType(CompressionType.NO_COMPRESSION);
        this.batchOptions = new ColumnFamilyOptions().setWriteBufferSize(8L << 20).setMaxWriteBufferNumber(2)
                .setCompressionType(CompressionType.NO_COMPRESSION);
        this.writeOptions = new WriteOptions().setDisableWAL(true);
        List<ColumnFamilyHandle> handles = new ArrayList<>(2);
        RocksDB opened = null;
        try {
            opened = RocksDB.open(options, dir.toString(), List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, stateOptions),
                    new ColumnFamilyDescriptor(BATCH_FAMILY.getBytes(StandardCharsets.US_ASCII), batchOptions)),
                    handles);
            this.db = opened;
            this.state = handles.get(0);
            this.batches = handles.get(1);
            moveBatchesOfTheSingleFamilyLayout();
        } catch (RocksDBException | RuntimeException e) {
            // Release the database's lock, or every later open of this folder in this process fails too.
            handles.forEach(ColumnFamilyHandle::close);
            if (opened != null) {
                opened.close();
            }
            writeOptions.close();
            batchOptions.close();
            stateOptions.close();
            options.close();
            throw e;
        }
    }

    /**
     * Whether files in {@code dir} (created if missing) can be opened for direct I/O. Some file systems refuse
     * O_DIRECT (tmpfs on older kernels); a store there flushes through the page cache as before.
     */
    static boolean directIoSupported(Path dir) {
        Path probe = dir.resolve("direct-io-probe");
        try {
            Files.createDirectories(dir);
            try (FileChannel ignored = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    ExtendedOpenOption.DIRECT)) {
                return true;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // A leftover probe file is harmless: RocksDB ignores files it does not know.
            }
        }
    }

    /**
     * Stores written before batches had their own family kept them in the default one: copies them over, in
     * write batches of at most {@link #MOVE_BYTES_MAX}, deletes the old keys and flushes. Every flush of this
     * database writes both families up to the same write batch (atomic flush), so a crash on the way leaves the
     * old keys or the finished move, never neither; the next open copies them again if needed.
     */
    private void moveBatchesOfTheSingleFamilyLayout() throws RocksDBException {
        byte[] first = batchKey(0);
        byte[] end = new byte[] {BATCH + 1};
        boolean moved = false;
        try (RocksIterator it = db.newIterator(state)) {
            it.seek(first);
            while (it.isValid() && it.key()[0] == BATCH) {
                try (WriteBatch wb = new WriteBatch()) {
                    for (; it.isValid() && it.key()[0] == BATCH && wb.getDataSize() < MOVE_BYTES_MAX; it.next()) {
                        wb.put(batches, it.key(), it.value());
                    }
                    db.write(writeOptions, wb);
                    moved = true;
                }
            }
        }
        if (moved) {
            try (WriteBatch wb = new WriteBatch()) {
                wb.deleteRange(state, first, end);
                db.write(writeOptions, wb);
            }
            flush();
        }
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

    /**
     * One applied produce request: its outcome and its batches as the producer sent them (never written to);
     * each is stored with its final base offset and the leader epoch.
     */
    public record Write(PartitionLog.Appended appended, ByteBuffer batches, int leaderEpoch) {}

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
                    BatchHeader.stamp(ByteBuffer.wrap(value), 0, p.baseOffset(), w.leaderEpoch());
                    wb.put(batches, batchKey(p.baseOffset()), value);
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
        List<byte[]> values = new ArrayList<>();
        int size = 0;
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(batches, ro)) {
            it.seekForPrev(batchKey(fetchOffset));
            if (!it.isValid()) {
                it.seek(batchKey(fetchOffset));
            }
            for (; it.isValid(); it.next()) {
                long base = ByteBuffer.wrap(it.key(), 1, 8).getLong();
                if (base >= endOffset) {
                    break;
                }
                byte[] value = it.value();
                long last = base + ByteBuffer.wrap(value).getInt(BatchHeader.LAST_OFFSET_DELTA_OFFSET);
                if (last < fetchOffset) {
                    continue;
                }
                if (size > 0 && size + value.length > maxBytes) {
                    break;
                }
                values.add(value);
                size += value.length;
                if (size >= maxBytes) {
                    break;
                }
            }
        }
        if (values.size() == 1) {
            return ByteBuffer.wrap(values.get(0));
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        values.forEach(out::put);
        return out.flip();
    }

    /** The base offset of the first batch whose max timestamp is at least {@code timestamp}, or -1. */
    public long offsetForTimestamp(long timestamp, long endOffset) {
        try (RocksIterator it = db.newIterator(batches)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
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
        flush();
        try (Checkpoint cp = Checkpoint.create(db)) {
            cp.createCheckpoint(target.toString());
        }
    }

    /** Flushes memtables so that everything written so far survives a crash. */
    public void flush() throws RocksDBException {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, List.of(state, batches));
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

    /** Every key and value of both families (their keys never collide), in key order; for tests that compare replicas. */
    public Map<String, byte[]> dump() {
        Map<String, byte[]> all = new java.util.TreeMap<>();
        for (ColumnFamilyHandle family : List.of(state, batches)) {
            try (RocksIterator it = db.newIterator(family)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    all.put(java.util.HexFormat.of().formatHex(it.key()), it.value());
                }
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
        state.close();
        batches.close();
        db.close();
        writeOptions.close();
        batchOptions.close();
        stateOptions.close();
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
