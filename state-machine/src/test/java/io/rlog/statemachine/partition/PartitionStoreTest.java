package io.rlog.statemachine.partition;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionStoreTest {

    @Test
    void batchesOfAStoreWrittenInOneFamilyMoveIntoFiles(@TempDir Path dir, @TempDir Path crashed) throws Exception {
        byte[] first = withBaseOffset(TestBatches.batch(7, (short) 0, 0, 2, 10), 0);
        byte[] second = withBaseOffset(TestBatches.batch(7, (short) 0, 2, 3, 20), 2);
        // The layout before batches had their own family: everything in the default one.
        try (Options o = new Options().setCreateIfMissing(true); RocksDB old = RocksDB.open(o, dir.toString())) {
            old.put(PartitionStore.batchKey(0), first);
            old.put(PartitionStore.batchKey(2), second);
            old.put(meta("logEnd"), ByteBuffer.allocate(8).putLong(5).array());
            old.put(meta("appliedIndex"), ByteBuffer.allocate(8).putLong(9).array());
        }

        try (PartitionStore store = new PartitionStore(dir)) {
            // What a crash right after the move would leave: the files as they are while the store is open (no
            // WAL, so nothing else survives). Closing flushes memtables, which would hide a missing flush.
            copyFolder(dir, crashed);
            PartitionStore.Snapshot s = store.load();
            assertEquals(5, s.logEndOffset());
            assertEquals(9, s.appliedIndex());
            assertArrayEquals(concat(first, second), bytes(store.read(0, 5, 1 << 20)));
            assertArrayEquals(second, bytes(store.read(3, 5, 1 << 20)));
            assertEquals(2, store.offsetForTimestamp(15, 5));
        }

        // Reopened once more, nothing is moved twice and nothing is left behind in the default family.
        try (PartitionStore store = new PartitionStore(dir)) {
            assertArrayEquals(concat(first, second), bytes(store.read(0, 5, 1 << 20)));
        }
        assertBatchesOnlyInFiles(dir, first.length + second.length);
        // The crashed copy opens to the same state without moving anything again.
        assertBatchesOnlyInFiles(crashed, first.length + second.length);
        try (PartitionStore store = new PartitionStore(crashed)) {
            assertEquals(9, store.load().appliedIndex());
            assertArrayEquals(concat(first, second), bytes(store.read(0, 5, 1 << 20)));
        }
    }

    @Test
    void readsFromABatchBaseOrFromInsideABatchUpToTheEndAndTheByteLimit(@TempDir Path dir) throws Exception {
        byte[] first = withBaseOffset(TestBatches.batch(7, (short) 0, 0, 2, 10), 0);
        byte[] second = withBaseOffset(TestBatches.batch(7, (short) 0, 2, 3, 20), 2);
        byte[] third = withBaseOffset(TestBatches.batch(7, (short) 0, 5, 1, 30), 5);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions o = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB db = RocksDB.open(o, dir.toString(), List.of(
                     new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                     new ColumnFamilyDescriptor(PartitionStore.BATCH_FAMILY.getBytes(StandardCharsets.US_ASCII))),
                     handles);
             FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            // The first batch in a flushed file of its own, the others in a newer one: reads cross files.
            db.put(handles.get(1), PartitionStore.batchKey(0), first);
            db.flush(flush, handles.get(1));
            db.put(handles.get(1), PartitionStore.batchKey(2), second);
            db.put(handles.get(1), PartitionStore.batchKey(5), third);
            handles.forEach(ColumnFamilyHandle::close);
        }

        try (PartitionStore store = new PartitionStore(dir)) {
            assertArrayEquals(concat(first, concat(second, third)), bytes(store.read(0, 6, 1 << 20)));
            assertArrayEquals(concat(second, third), bytes(store.read(2, 6, 1 << 20)), "from a batch's base");
            assertArrayEquals(concat(second, third), bytes(store.read(3, 6, 1 << 20)), "from inside a batch");
            assertArrayEquals(concat(first, second), bytes(store.read(1, 5, 1 << 20)), "from inside the first batch");
            assertArrayEquals(third, bytes(store.read(5, 6, 1 << 20)), "the last batch");
            assertArrayEquals(second, bytes(store.read(2, 5, 1 << 20)), "nothing at or after the end");
            assertArrayEquals(first, bytes(store.read(0, 6, first.length)), "stops at the byte limit");
            assertArrayEquals(second, bytes(store.read(4, 6, 1)), "the first batch whole, over the limit");
        }
    }

    @Test
    void bufferedFileWritesReachRocksDbAndFlushedBatchesReadBack(@TempDir Path dir) throws Exception {
        byte[] first = withBaseOffset(TestBatches.batch(7, (short) 0, 0, 2, 10), 0);
        try (Options o = new Options().setCreateIfMissing(true); RocksDB old = RocksDB.open(o, dir.toString())) {
            old.put(PartitionStore.batchKey(0), first);
            old.put(meta("logEnd"), ByteBuffer.allocate(8).putLong(2).array());
        }
        // Opening moves the old layout's batch and flushes: a file written the buffered way.
        try (PartitionStore store = new PartitionStore(dir, new PartitionStore.FileWrites(false, 64 << 10))) {
            assertArrayEquals(first, bytes(store.read(0, 2, 1 << 20)));
        }
        String options;
        try (var files = java.nio.file.Files.list(dir)) {
            Path newest = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-")).sorted()
                    .reduce((a, b) -> b).orElseThrow();
            options = java.nio.file.Files.readString(newest);
        }
        assertTrue(options.contains("use_direct_io_for_flush_and_compaction=false"), options);
        assertTrue(options.contains("bytes_per_sync=65536"), options);
        // Reopened with direct I/O (where the folder allows it), the batch still reads back and a flush works.
        byte[] key = "o-direct".getBytes(StandardCharsets.US_ASCII);
        try (PartitionStore store = new PartitionStore(dir, new PartitionStore.FileWrites(true, 0))) {
            assertArrayEquals(first, bytes(store.read(0, 2, 1 << 20)));
            store.writeEntries(List.<byte[][]>of(new byte[][] {key, {42}}), List.of(), 1, 3);
            store.flush();
        }
        try (PartitionStore store = new PartitionStore(dir)) {
            assertArrayEquals(first, bytes(store.read(0, 2, 1 << 20)));
            List<byte[]> found = new ArrayList<>();
            store.scan(key, (k, v) -> found.add(v));
            assertEquals(1, found.size());
            assertArrayEquals(new byte[] {42}, found.get(0));
        }
        assertThrows(IllegalArgumentException.class, () -> new PartitionStore.FileWrites(false, -1));
    }

    @Test
    void directIoProbeLeavesNothingBehindAndSaysNoWhereItCannotWrite(@TempDir Path dir) throws Exception {
        Path plainFile = java.nio.file.Files.writeString(dir.resolve("plain-file"), "x");
        assertFalse(PartitionStore.directIoSupported(plainFile.resolve("store")));

        Path store = dir.resolve("store");
        PartitionStore.directIoSupported(store);
        try (var files = java.nio.file.Files.list(store)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void aCrashKeepsTheFlushedPrefixAndCutsTheBatchFileBackToIt(@TempDir Path dir, @TempDir Path crashed)
            throws Exception {
        ByteBuffer first = TestBatches.batch(7, (short) 0, 0, 2, 10);
        ByteBuffer second = TestBatches.batch(7, (short) 0, 2, 3, 20);
        PartitionLog log = new PartitionLog();
        try (PartitionStore store = new PartitionStore(dir)) {
            append(store, log, first, 4);
            store.flush();
            append(store, log, second, 5);
            // The crash: RocksDB's flushed files (the second batch's index entry was only in the memtable) and
            // the batch file holding both batches, as the page cache kept it.
            copyFolder(dir, crashed);
        }
        byte[] firstStored = stored(first, 0);
        assertEquals(firstStored.length + stored(second, 2).length, segmentBytes(crashed));
        PartitionLog replayed = new PartitionLog();
        try (PartitionStore store = new PartitionStore(crashed)) {
            PartitionStore.Snapshot s = store.load();
            assertEquals(4, s.appliedIndex());
            assertEquals(2, s.logEndOffset());
            assertEquals(firstStored.length, segmentBytes(crashed), "cut back to the indexed batch");
            assertArrayEquals(firstStored, bytes(store.read(0, 2, 1 << 20)));
            // Ratis applies entry 5 again: the batch goes into a new file, and both read back.
            replayed.restore(s.logStartOffset(), s.logEndOffset(), s.maxTimestamp(), s.maxTimestampOffset(), s.producers());
            append(store, replayed, second, 5);
            assertArrayEquals(concat(firstStored, stored(second, 2)), bytes(store.read(0, 5, 1 << 20)));
            assertArrayEquals(stored(second, 2), bytes(store.read(3, 5, 1 << 20)));
        }
        try (var files = java.nio.file.Files.list(crashed.resolve(PartitionStore.SEGMENTS_DIR))) {
            assertEquals(2, files.count());
        }
    }

    @Test
    void aBatchFileShorterThanItsIndexIsReportedAsCorrupt(@TempDir Path dir) throws Exception {
        try (PartitionStore store = new PartitionStore(dir)) {
            append(store, new PartitionLog(), TestBatches.batch(7, (short) 0, 0, 2, 10), 1);
        }
        Path file;
        try (var files = java.nio.file.Files.list(dir.resolve(PartitionStore.SEGMENTS_DIR))) {
            file = files.findFirst().orElseThrow();
        }
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1);
        }
        var e = assertThrows(org.apache.ratis.io.CorruptedFileException.class, () -> new PartitionStore(dir));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }

    @Test
    void readsCrossFilesAndACheckpointKeepsItsFilesAsTheyWere(@TempDir Path dir, @TempDir Path snapshots)
            throws Exception {
        // Files of at most 100 bytes: every batch (77 to 93 bytes here) begins a file of its own.
        PartitionStore.FileWrites small = new PartitionStore.FileWrites(false, 1 << 20, 100,
                PartitionStore.FileWrites.SEGMENT_WRITEBACK_BYTES_DEFAULT);
        ByteBuffer first = TestBatches.batch(7, (short) 0, 0, 2, 10);
        ByteBuffer second = TestBatches.batch(7, (short) 0, 2, 3, 20);
        ByteBuffer third = TestBatches.batch(7, (short) 0, 5, 4, 30);
        Path checkpoint = snapshots.resolve("cp");
        Path restored = snapshots.resolve("restored");
        PartitionLog log = new PartitionLog();
        byte[] all = concat(stored(first, 0), concat(stored(second, 2), stored(third, 5)));
        try (PartitionStore store = new PartitionStore(dir, small)) {
            append(store, log, first, 1);
            append(store, log, second, 2);
            store.checkpoint(checkpoint);
            append(store, log, third, 3);
            assertArrayEquals(all, bytes(store.read(0, 9, 1 << 20)), "three files, read as one");
            assertArrayEquals(concat(stored(second, 2), stored(third, 5)), bytes(store.read(4, 9, 1 << 20)));
            assertArrayEquals(stored(second, 2), bytes(store.read(2, 9, stored(second, 2).length)), "byte limit");
            assertEquals(2, store.offsetForTimestamp(15, 9));
            assertEquals(-1, store.offsetForTimestamp(25, 5), "nothing at or after the end");
        }
        io.rlog.statemachine.CheckpointStorage.restoreCheckpoint(checkpoint, restored, PartitionStore.SEGMENTS_DIR);
        try (PartitionStore store = new PartitionStore(restored, small)) {
            assertEquals(2, store.load().appliedIndex());
            assertArrayEquals(concat(stored(first, 0), stored(second, 2)), bytes(store.read(0, 5, 1 << 20)));
            // Appending to the restored store leaves the checkpoint's (hard-linked) files alone.
            PartitionLog again = new PartitionLog();
            PartitionStore.Snapshot s = store.load();
            again.restore(s.logStartOffset(), s.logEndOffset(), s.maxTimestamp(), s.maxTimestampOffset(), s.producers());
            append(store, again, third, 3);
            assertArrayEquals(all, bytes(store.read(0, 9, 1 << 20)));
        }
        assertEquals(stored(first, 0).length + stored(second, 2).length,
                segmentBytes(checkpoint), "the checkpoint's files did not change");
    }

    /**
     * A marker's effects are one write: its control batch (stamped like any batch), the producer's entry, the
     * aborted range and another owner's keys; load() and a checkpoint bring all of them back.
     */
    @Test
    void aMarkerIsOneWriteThatLoadAndACheckpointBringBack(@TempDir Path dir, @TempDir Path snapshots) throws Exception {
        Path checkpoint = snapshots.resolve("cp");
        Path restored = snapshots.resolve("restored");
        PartitionLog log = new PartitionLog();
        byte[] otherKey = "u-pending".getBytes(StandardCharsets.US_ASCII);
        byte[] goneKey = "u-gone".getBytes(StandardCharsets.US_ASCII);
        PartitionLog.Marked abort;
        try (PartitionStore store = new PartitionStore(dir)) {
            store.writeEntries(List.<byte[][]>of(new byte[][] {goneKey, {1}}), List.of(), 1, 1);
            append(store, log, TestBatches.txnBatch(7, (short) 0, 0, 2, 10), 2);
            append(store, log, TestBatches.txnBatch(8, (short) 0, 0, 1, 11), 3);
            abort = (PartitionLog.Marked) log.endTransaction(7, 0, false, 4, 99, 0);
            store.writeMarker(abort, 1, List.<byte[][]>of(new byte[][] {otherKey, {2}}), List.of(goneKey), log, 1, 4);
            store.checkpoint(checkpoint);
        }
        io.rlog.statemachine.CheckpointStorage.restoreCheckpoint(checkpoint, restored, PartitionStore.SEGMENTS_DIR);
        for (Path d : List.of(dir, restored)) {
            try (PartitionStore store = new PartitionStore(d)) {
                PartitionStore.Snapshot s = store.load();
                assertEquals(4, s.appliedIndex());
                assertEquals(4, s.logEndOffset());
                assertEquals(List.of(abort.aborted()), s.aborted());
                assertEquals(abort.producer(), s.producers().get(7L));
                assertFalse(s.producers().get(7L).hasTxnFirstOffset());
                assertEquals(2, s.producers().get(8L).getTxnFirstOffset());
                PartitionLog reloaded = new PartitionLog();
                reloaded.restore(s.logStartOffset(), s.logEndOffset(), s.maxTimestamp(), s.maxTimestampOffset(),
                        s.producers());
                assertEquals(2, reloaded.lastStableOffset());
                assertArrayEquals(stored(abort.controlBatch(), 3), bytes(store.read(3, 4, 1 << 20)));
                Map<String, byte[]> dump = store.dump();
                assertArrayEquals(new byte[] {2}, dump.get(java.util.HexFormat.of().formatHex(otherKey)));
                assertFalse(dump.containsKey(java.util.HexFormat.of().formatHex(goneKey)));
            }
        }
    }

    /** Applies one entry of {@code batch} at Raft index {@code index} (term 1), as the state machine does. */
    private static void append(PartitionStore store, PartitionLog log, ByteBuffer batch, long index) throws Exception {
        ByteBuffer entry = batch.asReadOnlyBuffer();
        PartitionLog.Appended a = (PartitionLog.Appended) log.append(BatchHeader.parseAll(entry), 0L);
        store.writeAppends(List.of(new PartitionStore.Write(a, entry, 1)), log, 1, index);
    }

    /** {@code batch} as the store keeps it: with its base offset and leader epoch 1. */
    private static byte[] stored(ByteBuffer batch, long baseOffset) {
        ByteBuffer copy = ByteBuffer.wrap(bytes(batch));
        BatchHeader.stamp(copy, 0, baseOffset, 1);
        return copy.array();
    }

    /** No batch bytes left in RocksDB (no "batches" family, only meta keys in the default one); all in files. */
    private static void assertBatchesOnlyInFiles(Path dir, long batchBytes) throws Exception {
        List<String> families;
        try (Options o = new Options()) {
            families = RocksDB.listColumnFamilies(o, dir.toString()).stream()
                    .map(f -> new String(f, StandardCharsets.US_ASCII)).sorted().toList();
        }
        assertEquals(List.of(PartitionStore.INDEX_FAMILY, "default"), families);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (RocksDB db = RocksDB.open(dir.toString(), List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor(PartitionStore.INDEX_FAMILY.getBytes(StandardCharsets.US_ASCII))), handles)) {
            assertEquals(List.of("m"), firstBytesOfKeys(db, handles.get(0)).stream().distinct().toList());
            assertEquals(List.of("b", "b"), firstBytesOfKeys(db, handles.get(1)));
            handles.forEach(ColumnFamilyHandle::close);
        }
        assertEquals(batchBytes, segmentBytes(dir));
    }

    private static long segmentBytes(Path storeDir) throws Exception {
        try (var files = java.nio.file.Files.list(storeDir.resolve(PartitionStore.SEGMENTS_DIR))) {
            long total = 0;
            for (Path f : files.toList()) {
                total += java.nio.file.Files.size(f);
            }
            return total;
        }
    }

    /** Copies a store's folder as a crash would leave it: its files as they are, without the LOCK. */
    static void copyFolder(Path from, Path to) throws Exception {
        try (var files = java.nio.file.Files.list(from)) {
            for (Path f : files.toList()) {
                if (java.nio.file.Files.isDirectory(f)) {
                    copyFolder(f, java.nio.file.Files.createDirectories(to.resolve(f.getFileName())));
                } else if (!f.getFileName().toString().equals("LOCK")) {
                    java.nio.file.Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    private static List<String> firstBytesOfKeys(RocksDB db, ColumnFamilyHandle family) {
        List<String> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator(family)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                out.add(String.valueOf((char) it.key()[0]));
            }
        }
        return out;
    }

    private static byte[] withBaseOffset(ByteBuffer batch, long baseOffset) {
        batch.putLong(0, baseOffset);
        return bytes(batch);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    private static byte[] meta(String name) {
        return ("m" + name).getBytes(StandardCharsets.US_ASCII);
    }
}
