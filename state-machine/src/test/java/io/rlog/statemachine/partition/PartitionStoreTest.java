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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionStoreTest {

    @Test
    void batchesOfAStoreWrittenInOneFamilyMoveToTheirOwn(@TempDir Path dir, @TempDir Path crashed) throws Exception {
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
        assertOnlyBatchesInTheirFamily(dir);
        // The crashed copy opens to the same state without moving anything again.
        assertOnlyBatchesInTheirFamily(crashed);
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

    private static void assertOnlyBatchesInTheirFamily(Path dir) throws Exception {
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (RocksDB db = RocksDB.open(dir.toString(), List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                new ColumnFamilyDescriptor(PartitionStore.BATCH_FAMILY.getBytes(StandardCharsets.US_ASCII))), handles)) {
            assertEquals(List.of("m"), firstBytesOfKeys(db, handles.get(0)).stream().distinct().toList());
            assertEquals(List.of("b", "b"), firstBytesOfKeys(db, handles.get(1)));
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    private static void copyFolder(Path from, Path to) throws Exception {
        try (var files = java.nio.file.Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("LOCK")) {
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
