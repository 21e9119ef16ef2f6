package io.rlog.statemachine.partition;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.nio.file.ExtendedOpenOption;
import io.rlog.proto.AbortedTxnRecord;
import io.rlog.proto.ProducerEntry;
import io.rlog.statemachine.CheckpointStorage;
import org.rocksdb.AbstractEventListener;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushJobInfo;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One partition's storage: record batches in append-only files ({@link BatchSegments}, in {@code segments/} of
 * the store's folder), and a RocksDB with where each batch is (its own column family) and, in the default
 * family, the producer table, the log's bounds, the applied (term, index) and any other owner's keys. Every
 * write batch spans both families, and the two are flushed together (RocksDB's atomic flush), so a crash
 * without RocksDB's WAL recovers the same consistent prefix of write batches in both; the batch files are
 * fsynced before each flush and cut back to the recovered index on open. The Raft log is the write-ahead log:
 * entries above the recovered applied index are applied again by Ratis on restart.
 *
 * <p>Batch bytes are written once, to their file (through the page cache), and Fetch reads them back with one
 * positional read per run of batches. Kept in RocksDB as values they were copied into the memtable, written again
 * by each flush and read back through iterators, which cost a third of the nodes' throughput
 * (docs/design-decisions.md).
 *
 * <p>The index keys only grow, so each flushed file of its family covers a key range after every earlier one's
 * and RocksDB moves files down its levels without rewriting them.
 *
 * <p>Keys: {@code 'b' + offset(8, big-endian)} → where the batch is (index family, {@link #INDEX_VALUE_BYTES});
 * {@code 'p' + producerId(8)} → ProducerEntry; {@code 'a' + lastOffset(8)} → AbortedTxnRecord (a transaction
 * aborted here, keyed by its abort marker's offset); {@code 'm' + name} → 8-byte values. Stores of earlier versions
 * kept batch bytes as values in a "batches" family or in the default one; opening moves them into files.
 * Thread: writes from the apply thread only; reads from any thread.
 */
public final class PartitionStore implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    private static final byte BATCH = 'b';
    private static final byte PRODUCER = 'p';
    private static final byte ABORTED = 'a';
    private static final byte[] META_LOG_START = meta("logStart");
    private static final byte[] META_LOG_END = meta("logEnd");
    private static final byte[] META_MAX_TS = meta("maxTimestamp");
    private static final byte[] META_MAX_TS_OFFSET = meta("maxTimestampOffset");
    private static final byte[] META_APPLIED_TERM = meta("appliedTerm");
    private static final byte[] META_APPLIED_INDEX = meta("appliedIndex");

    /** What {@link #load()} reads back; {@code aborted} in the order of their markers. */
    public record Snapshot(long logStartOffset, long logEndOffset, long maxTimestamp, long maxTimestampOffset,
                           long appliedTerm, long appliedIndex, Map<Long, ProducerEntry> producers,
                           List<AbortedTxnRecord> aborted) {}

    /** Where batch bytes were kept before they had files; opening moves them out and drops the family. */
    static final String BATCH_FAMILY = "batches";
    static final String INDEX_FAMILY = "batch-index";
    /** The subfolder of the store's folder with the batch files. */
    public static final String SEGMENTS_DIR = BatchSegments.DIR;
    /** An index value: file (8), position (8), size (4), last offset delta (4), max timestamp (8). */
    static final int INDEX_VALUE_BYTES = 32;
    private static final int INDEX_LAST_OFFSET_DELTA_AT = 20;
    private static final int INDEX_MAX_TIMESTAMP_AT = 24;
    /** The bytes of a batch's header that are stamped when it is stored: base offset, length, leader epoch. */
    private static final int STAMPED_BYTES = 16;
    /** The most batch bytes per write batch of the one-time move of an old store's batches into files. */
    private static final long MOVE_BYTES_MAX = 16L << 20;

    private final Path dir;
    private final DBOptions options;
    private final ColumnFamilyOptions stateOptions;
    private final ColumnFamilyOptions indexOptions;
    private final AbstractEventListener syncBeforeFlush;
    private final BatchSegments segments;
    /** A failed fsync of the batch files before a flush; every later write fails with it. */
    private volatile IOException syncFailure;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle state;
    private final ColumnFamilyHandle index;

    /**
     * How the store writes its files. {@code directIo}: RocksDB's flushes and compactions with O_DIRECT, bypassing
     * the page cache (less CPU); else buffered, with {@code bytesPerSync} > 0 asking the kernel to start writing
     * back every that many bytes (sync_file_range) instead of all at the file's final fsync. The default is
     * buffered with 1 MB syncs: direct I/O's large writes stalled the Raft logs' fsyncs (docs/design-decisions.md).
     * {@code segmentBytesMax}: a batch file is closed and the next one begun once it would grow past this.
     * {@code segmentWritebackBytes}: the active batch file is fsynced in the background after every that many
     * bytes (0: the kernel writes it back when it likes, in bursts that stalled the Raft logs' fsyncs).
     */
    public record FileWrites(boolean directIo, long bytesPerSync, long segmentBytesMax, long segmentWritebackBytes) {
        public static final long SEGMENT_BYTES_MAX_DEFAULT = 64L << 20;
        public static final long SEGMENT_WRITEBACK_BYTES_DEFAULT = 1L << 20;
        public static final FileWrites DEFAULT = new FileWrites(false, 1L << 20, SEGMENT_BYTES_MAX_DEFAULT,
                SEGMENT_WRITEBACK_BYTES_DEFAULT);

        public FileWrites {
            if (bytesPerSync < 0) {
                throw new IllegalArgumentException("bytesPerSync must be >= 0, got " + bytesPerSync);
            }
            if (segmentBytesMax <= 0) {
                throw new IllegalArgumentException("segmentBytesMax must be > 0, got " + segmentBytesMax);
            }
            if (segmentWritebackBytes < 0) {
                throw new IllegalArgumentException("segmentWritebackBytes must be >= 0, got " + segmentWritebackBytes);
            }
        }

        public FileWrites(boolean directIo, long bytesPerSync) {
            this(directIo, bytesPerSync, SEGMENT_BYTES_MAX_DEFAULT, SEGMENT_WRITEBACK_BYTES_DEFAULT);
        }
    }

    public PartitionStore(Path dir) throws RocksDBException, IOException {
        this(dir, FileWrites.DEFAULT);
    }

    public PartitionStore(Path dir, FileWrites writes) throws RocksDBException, IOException {
        this.dir = dir;
        this.segments = new BatchSegments(dir.resolve(BatchSegments.DIR), writes.segmentBytesMax(),
                writes.segmentWritebackBytes());
        // A flushed index entry must not point past the durable bytes of its file: fsync the files first. The
        // flush's memtable holds only entries whose bytes were written before them.
        this.syncBeforeFlush = new AbstractEventListener(AbstractEventListener.EnabledEventCallback.ON_FLUSH_BEGIN) {
            @Override
            public void onFlushBegin(RocksDB db, FlushJobInfo info) {
                try {
                    segments.sync();
                } catch (IOException e) {
                    syncFailure = e;
                }
            }
        };
        this.options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                // No WAL: the two families must reach disk together or a crash could recover them at different
                // write batches.
                .setAtomicFlush(true)
                .setKeepLogFileNum(2).setMaxLogFileSize(1L << 20)
                // By default flushes and compactions write through the page cache, with write-back started every
                // 1 MB so that a flush reaches the disk as a stream of small writes a Raft log's fsync can pass.
                // Direct I/O saves the kernel's copy (8-9 % of a node's CPU on 2 cores) but its large writes
                // stalled the fsyncs. docs/design-decisions.md has the measurements.
                .setListeners(List.of(syncBeforeFlush))
                .setUseDirectIoForFlushAndCompaction(writes.directIo() && directIoSupported(dir))
                .setBytesPerSync(writes.directIo() ? 0 : writes.bytesPerSync());
        // Small per-partition footprint: a node hosts many partitions. Like Kafka's compression.type=producer,
        // batches are stored as the producer compressed them (or not); compressing them again would spend the
        // node's CPU on every flush and compaction.
        this.stateOptions = new ColumnFamilyOptions().setWriteBufferSize(1L << 20).setMaxWriteBufferNumber(2)
                .setCompressionType(CompressionType.NO_COMPRESSION);
        this.indexOptions = new ColumnFamilyOptions().setWriteBufferSize(1L << 20).setMaxWriteBufferNumber(2)
                .setCompressionType(CompressionType.NO_COMPRESSION);
        this.writeOptions = new WriteOptions().setDisableWAL(true);
        List<ColumnFamilyHandle> handles = new ArrayList<>(3);
        List<ColumnFamilyDescriptor> families = new ArrayList<>(List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, stateOptions),
                new ColumnFamilyDescriptor(INDEX_FAMILY.getBytes(StandardCharsets.US_ASCII), indexOptions)));
        boolean oldBatchFamily = hasFamily(dir, BATCH_FAMILY);
        if (oldBatchFamily) {
            families.add(new ColumnFamilyDescriptor(BATCH_FAMILY.getBytes(StandardCharsets.US_ASCII), indexOptions));
        }
        RocksDB opened = null;
        try {
            opened = RocksDB.open(options, dir.toString(), families, handles);
            this.db = opened;
            this.state = handles.get(0);
            this.index = handles.get(1);
            moveBatchValuesToFiles(oldBatchFamily ? handles.get(2) : null);
            if (oldBatchFamily) {
                handles.get(2).close();
            }
            segments.recover(lastLocation());
        } catch (RocksDBException | IOException | RuntimeException e) {
            // Release the database's lock, or every later open of this folder in this process fails too.
            handles.forEach(ColumnFamilyHandle::close);
            if (opened != null) {
                opened.close();
            }
            writeOptions.close();
            indexOptions.close();
            stateOptions.close();
            options.close();
            syncBeforeFlush.close();
            segments.close();
            throw e;
        }
    }

    private static boolean hasFamily(Path dir, String name) throws RocksDBException {
        if (!Files.exists(dir.resolve("CURRENT"))) {
            return false;
        }
        try (Options o = new Options()) {
            byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
            return RocksDB.listColumnFamilies(o, dir.toString()).stream().anyMatch(f -> Arrays.equals(f, wanted));
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
     * Stores of earlier versions kept batch bytes as RocksDB values: in the default family (the first layout) or
     * in a "batches" family ({@code oldFamily}, null when absent). Writes them into files with their index
     * entries, flushes (which fsyncs the files), and only then drops the old values, so a crash on the way leaves
     * the old values in place and the next open starts the move again from scratch.
     */
    private void moveBatchValuesToFiles(ColumnFamilyHandle oldFamily) throws RocksDBException, IOException {
        byte[] first = batchKey(0);
        byte[] end = new byte[] {BATCH + 1};
        boolean inDefault;
        try (RocksIterator it = db.newIterator(state)) {
            it.seek(first);
            inDefault = it.isValid() && it.key()[0] == BATCH;
        }
        if (!inDefault && oldFamily == null) {
            return;
        }
        try (WriteBatch wb = new WriteBatch()) {
            wb.deleteRange(index, first, end);
            db.write(writeOptions, wb);
        }
        for (long segment : segments.segments()) {
            Files.delete(BatchSegments.fileOf(segments.dir(), segment));
        }
        // Keys present in both places (a crash during the move of the first layout into the family) hold the
        // same bytes; the family's copy is the one kept.
        java.util.TreeMap<Long, ColumnFamilyHandle> where = new java.util.TreeMap<>();
        for (ColumnFamilyHandle family : oldFamily == null ? List.of(state) : List.of(state, oldFamily)) {
            try (RocksIterator it = db.newIterator(family)) {
                for (it.seek(first); it.isValid() && it.key()[0] == BATCH; it.next()) {
                    where.put(ByteBuffer.wrap(it.key(), 1, 8).getLong(), family);
                }
            }
        }
        long pending = 0;
        WriteBatch wb = new WriteBatch();
        try {
            for (Map.Entry<Long, ColumnFamilyHandle> e : where.entrySet()) {
                byte[] value = db.get(e.getValue(), batchKey(e.getKey()));
                ByteBuffer batch = ByteBuffer.wrap(value);
                BatchSegments.Location at = segments.append(e.getKey(),
                        batch.duplicate().limit(STAMPED_BYTES), batch.duplicate().position(STAMPED_BYTES));
                wb.put(index, batchKey(e.getKey()), indexValue(at, batch.getInt(BatchHeader.LAST_OFFSET_DELTA_OFFSET),
                        batch.getLong(BatchHeader.MAX_TIMESTAMP_OFFSET)));
                pending += value.length;
                if (pending >= MOVE_BYTES_MAX) {
                    db.write(writeOptions, wb);
                    wb.close();
                    wb = new WriteBatch();
                    pending = 0;
                }
            }
            db.write(writeOptions, wb);
        } finally {
            wb.close();
        }
        flush();
        if (inDefault) {
            try (WriteBatch del = new WriteBatch()) {
                del.deleteRange(state, first, end);
                db.write(writeOptions, del);
            }
            flush();
        }
        if (oldFamily != null) {
            db.dropColumnFamily(oldFamily);
        }
    }

    /** Where the last indexed batch is, or null when there is none. */
    private BatchSegments.Location lastLocation() {
        try (RocksIterator it = db.newIterator(index)) {
            it.seekToLast();
            return it.isValid() ? location(it.value()) : null;
        }
    }

    private static byte[] indexValue(BatchSegments.Location at, int lastOffsetDelta, long maxTimestamp) {
        return ByteBuffer.allocate(INDEX_VALUE_BYTES).putLong(at.segment()).putLong(at.position())
                .putInt(at.sizeBytes()).putInt(lastOffsetDelta).putLong(maxTimestamp).array();
    }

    private static BatchSegments.Location location(byte[] indexValue) {
        ByteBuffer v = ByteBuffer.wrap(indexValue);
        return new BatchSegments.Location(v.getLong(0), v.getLong(8), v.getInt(16));
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
        List<AbortedTxnRecord> aborted = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(new byte[] {ABORTED}); it.isValid() && it.key()[0] == ABORTED; it.next()) {
                aborted.add(AbortedTxnRecord.parseFrom(it.value()));
            }
        }
        return new Snapshot(getLong(META_LOG_START, 0), getLong(META_LOG_END, 0), getLong(META_MAX_TS, -1),
                getLong(META_MAX_TS_OFFSET, -1), getLong(META_APPLIED_TERM, 0), getLong(META_APPLIED_INDEX, -1),
                producers, aborted);
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
            throws RocksDBException, IOException {
        checkSynced();
        try (WriteBatch wb = new WriteBatch()) {
            for (Write w : writes) {
                for (PartitionLog.Placement p : w.appended().placements()) {
                    putBatch(wb, w.batches(), p, w.leaderEpoch());
                }
                for (Map.Entry<Long, ProducerEntry> e : w.appended().producerUpdates().entrySet()) {
                    wb.put(producerKey(e.getKey()), e.getValue().toByteArray());
                }
            }
            putBounds(wb, log);
            putApplied(wb, term, index);
            db.write(writeOptions, wb);
        }
    }

    /**
     * Persists one applied transaction marker atomically: its control batch (if one was written, stamped like any
     * batch), the producer's entry, the aborted range (on an abort), another owner's keys ({@code puts} and
     * {@code deletes}: the consumer-group state the marker ends, on a {@code __consumer_offsets} partition), the
     * log's bounds and the applied (term, index).
     */
    public void writeMarker(PartitionLog.Marked marked, int leaderEpoch, java.util.List<byte[][]> puts,
                            java.util.List<byte[]> deletes, PartitionLog log, long term, long index)
            throws RocksDBException, IOException {
        checkSynced();
        try (WriteBatch wb = new WriteBatch()) {
            if (marked.placement() != null) {
                putBatch(wb, marked.controlBatch(), marked.placement(), leaderEpoch);
            }
            wb.put(producerKey(marked.producerId()), marked.producer().toByteArray());
            if (marked.aborted() != null) {
                wb.put(abortedKey(marked.aborted().getLastOffset()), marked.aborted().toByteArray());
            }
            for (byte[][] kv : puts) {
                wb.put(kv[0], kv[1]);
            }
            for (byte[] k : deletes) {
                wb.delete(k);
            }
            putBounds(wb, log);
            putApplied(wb, term, index);
            db.write(writeOptions, wb);
        }
    }

    private void checkSynced() throws IOException {
        IOException failed = syncFailure;
        if (failed != null) {
            throw new IOException("an fsync of the batch files failed before a flush", failed);
        }
    }

    /**
     * Writes one batch of {@code batches} to its file and its index entry into {@code wb}. The file gets the
     * batch's own bytes after a stamped copy of its first 16: the entry's buffer is read-only and shared with
     * Ratis's log cache.
     */
    private void putBatch(WriteBatch wb, ByteBuffer batches, PartitionLog.Placement p, int leaderEpoch)
            throws RocksDBException, IOException {
        int at = p.header().position();
        ByteBuffer head = ByteBuffer.allocate(STAMPED_BYTES);
        head.put(batches.slice(at, STAMPED_BYTES)).flip();
        BatchHeader.stamp(head, 0, p.baseOffset(), leaderEpoch);
        BatchSegments.Location where = segments.append(p.baseOffset(), head,
                batches.slice(at + STAMPED_BYTES, p.header().sizeBytes() - STAMPED_BYTES));
        wb.put(this.index, batchKey(p.baseOffset()),
                indexValue(where, p.header().lastOffsetDelta(), p.header().maxTimestamp()));
    }

    private static void putBounds(WriteBatch wb, PartitionLog log) throws RocksDBException {
        wb.put(META_LOG_START, longBytes(log.logStartOffset()));
        wb.put(META_LOG_END, longBytes(log.logEndOffset()));
        wb.put(META_MAX_TS, longBytes(log.maxTimestamp()));
        wb.put(META_MAX_TS_OFFSET, longBytes(log.maxTimestampOffset()));
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
    public ByteBuffer read(long fetchOffset, long endOffset, int maxBytes) throws IOException {
        List<BatchSegments.Location> found = new ArrayList<>();
        int size = 0;
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(index, ro)) {
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
                long last = base + ByteBuffer.wrap(value).getInt(INDEX_LAST_OFFSET_DELTA_AT);
                if (last < fetchOffset) {
                    continue;
                }
                BatchSegments.Location at = location(value);
                if (size > 0 && size + at.sizeBytes() > maxBytes) {
                    break;
                }
                found.add(at);
                size += at.sizeBytes();
                if (size >= maxBytes) {
                    break;
                }
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        // Batches that follow each other in one file are read together.
        for (int i = 0; i < found.size(); ) {
            BatchSegments.Location from = found.get(i);
            int length = from.sizeBytes();
            int j = i + 1;
            while (j < found.size() && found.get(j).segment() == from.segment()
                    && found.get(j).position() == from.position() + length) {
                length += found.get(j).sizeBytes();
                j++;
            }
            segments.read(from.segment(), from.position(), length, out);
            i = j;
        }
        return out.flip();
    }

    /** The base offset of the first batch whose max timestamp is at least {@code timestamp}, or -1. */
    public long offsetForTimestamp(long timestamp, long endOffset) {
        try (RocksIterator it = db.newIterator(index)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long base = ByteBuffer.wrap(it.key(), 1, 8).getLong();
                if (base >= endOffset) {
                    return -1;
                }
                if (ByteBuffer.wrap(it.value()).getLong(INDEX_MAX_TIMESTAMP_AT) >= timestamp) {
                    return base;
                }
            }
        }
        return -1;
    }

    /**
     * Flushes the memtables and writes a checkpoint into {@code target}: RocksDB's (hard links where possible)
     * and a hard link of every batch file in {@code segments/}. The next append begins a new file, so no file of
     * the checkpoint is written again; the checkpoint's index decides how much of its last file counts.
     */
    public void checkpoint(Path target) throws RocksDBException, IOException {
        segments.roll();
        flush();
        try (Checkpoint cp = Checkpoint.create(db)) {
            cp.createCheckpoint(target.toString());
        }
        Path files = target.resolve(BatchSegments.DIR);
        Files.createDirectories(files);
        for (long segment : segments.segments()) {
            Path source = BatchSegments.fileOf(segments.dir(), segment);
            CheckpointStorage.linkOrCopy(source, files.resolve(source.getFileName()));
        }
    }

    /** Fsyncs the batch files and flushes memtables so that everything written so far survives a crash. */
    public void flush() throws RocksDBException, IOException {
        segments.sync();
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            db.flush(fo, List.of(state, index));
        }
    }

    /**
     * Writes keys of another owner of this database (the consumer-group state of a {@code __consumer_offsets}
     * partition: 'o', 'g', 'u' and 't' keys, see OffsetTable) with the applied (term, index), atomically.
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

    /**
     * Every key and value of the default family, and every batch's bytes under its index key (where a batch sits
     * in which file differs between replicas), in key order; for tests that compare replicas.
     */
    public Map<String, byte[]> dump() throws IOException {
        Map<String, byte[]> all = new java.util.TreeMap<>();
        try (RocksIterator it = db.newIterator(state)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                all.put(java.util.HexFormat.of().formatHex(it.key()), it.value());
            }
        }
        try (RocksIterator it = db.newIterator(index)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                BatchSegments.Location at = location(it.value());
                ByteBuffer bytes = ByteBuffer.allocate(at.sizeBytes());
                segments.read(at.segment(), at.position(), at.sizeBytes(), bytes);
                all.put(java.util.HexFormat.of().formatHex(it.key()), bytes.array());
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
        index.close();
        db.close();
        writeOptions.close();
        indexOptions.close();
        stateOptions.close();
        options.close();
        syncBeforeFlush.close();
        try {
            segments.close();
        } catch (IOException e) {
            // Closing fsyncs the active file; RocksDB, closed first without a flush, has indexed nothing the
            // next open cannot cut back.
            throw new java.io.UncheckedIOException("closing the batch files of " + dir + " failed", e);
        }
    }

    static byte[] batchKey(long offset) {
        return ByteBuffer.allocate(9).order(ByteOrder.BIG_ENDIAN).put(BATCH).putLong(offset).array();
    }

    static byte[] abortedKey(long lastOffset) {
        return ByteBuffer.allocate(9).put(ABORTED).putLong(lastOffset).array();
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
