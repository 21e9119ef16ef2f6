package io.rlog.statemachine.partition;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchSegmentsTest {

    /** The bytes of batch {@code n}: its size and every byte derived from n, so any mix-up shows. */
    private static byte[] payload(int n) {
        byte[] b = new byte[20 + n % 50];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (n * 31 + i);
        }
        return b;
    }

    @Test
    void readersSeeEveryWrittenBatchWhileFilesRollAndReadChannelsAreClosed(@TempDir Path dir) throws Exception {
        // 200-byte files: a new file every few batches, so reads keep opening older files and the writer keeps
        // closing the least recently read ones (at most 4 stay open).
        List<BatchSegments.Location> written = new CopyOnWriteArrayList<>();
        int batches = 3_000;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (BatchSegments segments = new BatchSegments(dir, 200)) {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    while (written.size() < batches) {
                        if (written.isEmpty()) {
                            continue;
                        }
                        int n = ThreadLocalRandom.current().nextInt(written.size());
                        BatchSegments.Location at = written.get(n);
                        ByteBuffer into = ByteBuffer.allocate(at.sizeBytes());
                        segments.read(at.segment(), at.position(), at.sizeBytes(), into);
                        assertArrayEquals(payload(n), into.array(), "batch " + n);
                        reads++;
                    }
                    return reads;
                }));
            }
            for (int n = 0; n < batches; n++) {
                byte[] p = payload(n);
                written.add(segments.append(n, ByteBuffer.wrap(p, 0, 8), ByteBuffer.wrap(p, 8, p.length - 8)));
                if (n % 500 == 499) {
                    segments.roll();
                }
            }
            for (Future<Integer> reader : readers) {
                // A failed read or a wrong byte surfaces here as the reader's exception.
                assertTrue(reader.get(60, TimeUnit.SECONDS) > 0, "every reader read");
            }
            assertTrue(segments.segments().size() > 100, "files: " + segments.segments().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theActiveFileIsFsyncedInTheBackgroundEveryWritebackBytes(@TempDir Path dir) throws Exception {
        try (BatchSegments segments = new BatchSegments(dir, 64 << 20, 64 << 10);
             BatchSegments never = new BatchSegments(dir.resolve("never"), 64 << 20, 0)) {
            byte[] chunk = new byte[16 << 10];
            for (int i = 0; i < 64; i++) { // 1 MB in all: 16 background fsyncs at most, one queued at a time
                segments.append(i, ByteBuffer.wrap(chunk), ByteBuffer.allocate(0));
                never.append(i, ByteBuffer.wrap(chunk), ByteBuffer.allocate(0));
            }
            LocalRatis.await("a background fsync", 30_000, () -> segments.writebacks() > 0);
            assertTrue(segments.writebacks() >= 1 && segments.writebacks() <= 16, "writebacks " + segments.writebacks());
            assertEquals(0, never.writebacks());
        }
        assertThrows(IllegalArgumentException.class, () -> new BatchSegments(dir, 1, -1));
    }

    @Test
    void recoveryCutsBackToTheLastIndexedBatchAndRemovesLaterFiles(@TempDir Path dir) throws Exception {
        BatchSegments.Location second;
        try (BatchSegments segments = new BatchSegments(dir, 100)) {
            segments.append(0, ByteBuffer.wrap(payload(0)), ByteBuffer.allocate(0));
            second = segments.append(1, ByteBuffer.wrap(payload(1)), ByteBuffer.allocate(0));
            segments.append(2, ByteBuffer.wrap(payload(2)), ByteBuffer.allocate(0)); // 20 + 21 + 22 bytes
            segments.append(3, ByteBuffer.wrap(payload(49)), ByteBuffer.allocate(0)); // 69 more: a new file
        }
        try (BatchSegments segments = new BatchSegments(dir, 100)) {
            assertEquals(List.of(0L, 3L), segments.segments());
            segments.recover(second);
            assertEquals(List.of(0L), segments.segments());
            assertEquals(second.end(), java.nio.file.Files.size(BatchSegments.fileOf(dir, 0)));
            // The next append begins a file of its own, after the one recovered.
            BatchSegments.Location next = segments.append(2, ByteBuffer.wrap(payload(2)), ByteBuffer.allocate(0));
            assertEquals(new BatchSegments.Location(2, 0, payload(2).length), next);
        }
        try (BatchSegments segments = new BatchSegments(dir, 100)) {
            segments.recover(null);
            assertEquals(List.of(), segments.segments(), "an empty index keeps no file");
        }
        assertThrows(IllegalArgumentException.class, () -> new BatchSegments(dir, 0));
    }
}
