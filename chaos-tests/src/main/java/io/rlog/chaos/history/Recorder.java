package io.rlog.chaos.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Collects a run's operations from many threads, numbers them in completion order and appends each one to the
 * JSON Lines file at once, so a harness that dies mid-run still leaves the history up to that point.
 *
 * <p>Threads: every method is safe to call concurrently. Time comes from the supplied nanosecond clock, so the
 * runner decides what "run start" is.
 */
public final class Recorder implements AutoCloseable {
    private final LongSupplier nanoClock;
    private final long startNanos;
    private final BufferedWriter out;
    private final List<Op> ops = new ArrayList<>();
    private final Path file;

    public Recorder(Path file, RunInfo info, LongSupplier nanoClock) throws IOException {
        this.file = file;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write(HistoryCodec.encode(info));
        out.newLine();
        out.flush();
    }

    public Path file() {
        return file;
    }

    /** Nanoseconds since the run started: the invoke time to pass back to {@link #complete}. */
    public long now() {
        return nanoClock.getAsLong() - startNanos;
    }

    /**
     * Records an operation that was invoked at {@code invokeNanos} and completes now.
     *
     * @param build makes the operation from its {@link Meta} (which carries the index this call assigns)
     */
    public synchronized <T extends Op> T complete(int process, Outcome outcome, long invokeNanos, String error,
                                                  Function<Meta, T> build) {
        long completeNanos = Math.max(invokeNanos, now());
        T op = build.apply(new Meta(ops.size(), process, outcome, invokeNanos, completeNanos, error));
        ops.add(op);
        try {
            out.write(HistoryCodec.encode(op));
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the history " + file, e);
        }
        return op;
    }

    public synchronized int size() {
        return ops.size();
    }

    /** Everything recorded so far, flushed to the file. */
    public synchronized History snapshot(RunInfo info) {
        flush();
        return new History(info, ops);
    }

    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot flush the history " + file, e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
