package io.rlog.statemachine.partition;

import org.apache.ratis.io.CorruptedFileException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A partition's record batches in append-only files ({@code <20-digit base offset>.log}), each byte written once,
 * through the page cache; {@link PartitionStore} keeps where each batch is in RocksDB. Fetch reads a run of
 * batches with one positional read.
 *
 * <p>Durability: nothing here is fsynced per append. The Raft log is the write-ahead log, and {@link #sync()}
 * runs before every RocksDB flush, so a durable index entry never points past the durable bytes of its file.
 * After a crash {@link #recover} cuts the last file back to the end of the last indexed batch and removes files
 * begun after it; Ratis applies the rest of the log again.
 *
 * <p>Files are never written again once this object stops appending to them: a new file is begun at the first
 * append after open and after every {@link #roll()} (the store rolls before a checkpoint), so a snapshot may
 * hard-link every file it lists. A checkpoint's last file may still be cut back later by {@link #recover}, but
 * never below what that checkpoint's index refers to.
 *
 * <p>Threads: one writer (the apply thread: append, roll, sync, recover); readers from any thread.
 */
final class BatchSegments implements AutoCloseable {

    static final String DIR = "segments";
    private static final Pattern NAME = Pattern.compile("\\d{20}\\.log");
    /** Read channels kept open besides the active file's. */
    private static final int OPEN_READERS_MAX = 4;

    /** Where one batch is: the file's base offset, and its position and size in that file. */
    record Location(long segment, long position, int sizeBytes) {
        long end() {
            return position + sizeBytes;
        }
    }

    /**
     * Fsyncs active files in the background every {@code writebackBytes} appended, one file at a time for the
     * whole JVM, so that the kernel writes them back in small steps instead of in bursts of hundreds of MB that
     * stall the Raft logs' fsyncs behind them (RocksDB's bytes_per_sync does the same for its files).
     */
    private static final ExecutorService WRITEBACK = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "rlog-batch-writeback");
        t.setDaemon(true);
        return t;
    });

    private final Path dir;
    private final long segmentBytesMax;
    private final long writebackBytes;
    /** Bytes appended to the active file since the last background fsync was asked for. */
    private long unsyncedBytes;
    /** A background fsync of this object's active file is queued or running. */
    private final AtomicBoolean writebackQueued = new AtomicBoolean();
    /** Background fsyncs finished. */
    private final AtomicLong writebacks = new AtomicLong();
    /** Guards {@link #readers} and the active file against close while a read uses them. */
    private final ReentrantReadWriteLock channels = new ReentrantReadWriteLock();
    private final Map<Long, FileChannel> readers = new LinkedHashMap<>(8, 0.75f, true);
    /** The file appends go to; a file is fsynced when it stops being this one. */
    private volatile FileChannel active;
    private long activeBase = -1;
    private long activeSize;

    BatchSegments(Path dir, long segmentBytesMax) throws IOException {
        this(dir, segmentBytesMax, 0);
    }

    /** {@code writebackBytes}: fsync the active file in the background after every that many bytes; 0: never. */
    BatchSegments(Path dir, long segmentBytesMax, long writebackBytes) throws IOException {
        if (segmentBytesMax <= 0) {
            throw new IllegalArgumentException("segmentBytesMax must be > 0, got " + segmentBytesMax);
        }
        if (writebackBytes < 0) {
            throw new IllegalArgumentException("writebackBytes must be >= 0, got " + writebackBytes);
        }
        this.dir = dir;
        this.segmentBytesMax = segmentBytesMax;
        this.writebackBytes = writebackBytes;
        Files.createDirectories(dir);
    }

    Path dir() {
        return dir;
    }

    /** How many background fsyncs have finished. */
    long writebacks() {
        return writebacks.get();
    }

    static Path fileOf(Path dir, long segment) {
        return dir.resolve(String.format("%020d.log", segment));
    }

    /** Every file's base offset, ascending. */
    List<Long> segments() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> NAME.matcher(n).matches())
                    .map(n -> Long.parseLong(n.substring(0, 20))).sorted().toList();
        }
    }

    /**
     * Makes the files agree with the index after a crash: {@code last} is the last indexed batch (null when the
     * index is empty). Files begun after it are removed and its file is cut back to its end. A file shorter than
     * the index says is corruption (bytes the index was flushed with are gone).
     */
    void recover(Location last) throws IOException {
        for (long segment : segments()) {
            Path file = fileOf(dir, segment);
            if (last == null || segment > last.segment()) {
                Files.delete(file);
            } else if (segment == last.segment()) {
                long size = Files.size(file);
                if (size < last.end()) {
                    throw new CorruptedFileException(file.toFile(), "holds " + size
                            + " bytes but the batch index refers to " + last.end());
                }
                if (size > last.end()) {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.truncate(last.end());
                        ch.force(false);
                    }
                }
            }
        }
        if (last != null && !Files.exists(fileOf(dir, last.segment()))) {
            throw new CorruptedFileException(fileOf(dir, last.segment()).toFile(),
                    "is missing but the batch index refers to it");
        }
    }

    /**
     * Writes one batch, {@code head} (its first bytes as they are to be stored) followed by {@code rest}, and
     * returns where it is. {@code baseOffset} names the file when this batch begins one.
     */
    Location append(long baseOffset, ByteBuffer head, ByteBuffer rest) throws IOException {
        int size = head.remaining() + rest.remaining();
        if (active == null || (activeSize > 0 && activeSize + size > segmentBytesMax)) {
            begin(baseOffset);
        }
        long position = activeSize;
        ByteBuffer[] pieces = {head, rest};
        long left = size;
        while (left > 0) {
            left -= active.write(pieces);
        }
        activeSize += size;
        unsyncedBytes += size;
        if (writebackBytes > 0 && unsyncedBytes >= writebackBytes && writebackQueued.compareAndSet(false, true)) {
            unsyncedBytes = 0;
            FileChannel ch = active;
            WRITEBACK.execute(() -> {
                try {
                    ch.force(false);
                    writebacks.incrementAndGet();
                } catch (IOException e) {
                    // Closed meanwhile (it was fsynced when it stopped being active) or failing: the fsync before
                    // the next RocksDB flush reports a real failure.
                } finally {
                    writebackQueued.set(false);
                }
            });
        }
        return new Location(activeBase, position, size);
    }

    private void begin(long baseOffset) throws IOException {
        if (baseOffset <= activeBase) {
            throw new IllegalStateException("segment " + baseOffset + " does not follow " + activeBase);
        }
        FileChannel ch = FileChannel.open(fileOf(dir, baseOffset), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.READ);
        retireActive();
        channels.writeLock().lock();
        try {
            active = ch;
            activeBase = baseOffset;
            activeSize = 0;
            unsyncedBytes = 0;
        } finally {
            channels.writeLock().unlock();
        }
    }

    /** The next append begins a new file. */
    void roll() throws IOException {
        retireActive();
    }

    /** Fsyncs the active file and keeps it open for reads only. */
    private void retireActive() throws IOException {
        FileChannel ch = active;
        if (ch == null) {
            return;
        }
        ch.force(false);
        channels.writeLock().lock();
        try {
            synchronized (readers) {
                readers.put(activeBase, ch);
            }
            active = null;
            trimReaders();
        } finally {
            channels.writeLock().unlock();
        }
    }

    /** Forces every appended byte to disk (earlier files were forced when they stopped being active). */
    void sync() throws IOException {
        channels.readLock().lock();
        try {
            FileChannel ch = active;
            if (ch != null) {
                ch.force(false);
            }
        } finally {
            channels.readLock().unlock();
        }
    }

    /**
     * Reads {@code length} bytes at {@code position} of file {@code segment} into {@code into} at its position
     * (advanced by {@code length}).
     */
    void read(long segment, long position, int length, ByteBuffer into) throws IOException {
        ByteBuffer target = into.slice(into.position(), length);
        channels.readLock().lock();
        try {
            FileChannel ch = segment == activeBase && active != null ? active : reader(segment);
            long at = position;
            while (target.hasRemaining()) {
                int n = ch.read(target, at);
                if (n < 0) {
                    throw new CorruptedFileException(fileOf(dir, segment).toFile(),
                            "ends before " + (position + length) + " where the batch index points");
                }
                at += n;
            }
        } finally {
            channels.readLock().unlock();
        }
        into.position(into.position() + length);
        boolean tooMany;
        synchronized (readers) {
            tooMany = readers.size() > OPEN_READERS_MAX;
        }
        if (tooMany) {
            channels.writeLock().lock();
            try {
                trimReaders();
            } finally {
                channels.writeLock().unlock();
            }
        }
    }

    /** The open channel of an older file, opened if need be. */
    private FileChannel reader(long segment) throws IOException {
        synchronized (readers) {
            FileChannel ch = readers.get(segment);
            if (ch != null) {
                return ch;
            }
        }
        // Opened under the read lock, so other reads go on; channels are closed only under the write lock.
        FileChannel opened = FileChannel.open(fileOf(dir, segment), StandardOpenOption.READ);
        synchronized (readers) {
            FileChannel raced = readers.putIfAbsent(segment, opened);
            if (raced != null) {
                opened.close();
                return raced;
            }
            return opened;
        }
    }

    /** Closes the least recently read channels beyond {@link #OPEN_READERS_MAX}; holds the write lock. */
    private void trimReaders() {
        synchronized (readers) {
            for (Iterator<FileChannel> it = readers.values().iterator(); it.hasNext() && readers.size() > OPEN_READERS_MAX; ) {
                closeQuietly(it.next());
                it.remove();
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Read-only or already synced: nothing is lost.
        }
    }

    @Override
    public void close() throws IOException {
        retireActive();
        channels.writeLock().lock();
        try {
            synchronized (readers) {
                readers.values().forEach(BatchSegments::closeQuietly);
                readers.clear();
            }
        } finally {
            channels.writeLock().unlock();
        }
    }
}
