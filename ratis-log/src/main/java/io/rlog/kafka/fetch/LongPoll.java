package io.rlog.kafka.fetch;

import io.rlog.kafka.fetch.FetchReader.ReadSet;
import io.rlog.kafka.fetch.FetchReader.Target;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A parked fetch: waits, without a thread, until its partitions hold at least {@code minBytes} or the deadline
 * passes. Appends to its partitions ({@link AppendWatches}) wake it to read again; the shared timer ends it at the
 * deadline. Whichever comes first completes {@link #result()} once and unsubscribes everything.
 */
final class LongPoll {
    private final FetchReader reader;
    private final int minBytes;
    private final AppendWatches watches;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<ReadSet> result = new CompletableFuture<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    // One instance, so that unsubscribing removes exactly what was subscribed.
    private final Runnable wake = this::recheck;
    private volatile ScheduledFuture<?> deadline;

    LongPoll(FetchReader reader, int minBytes, AppendWatches watches, ScheduledExecutorService timer) {
        this.reader = reader;
        this.minBytes = minBytes;
        this.watches = watches;
        this.timer = timer;
    }

    CompletableFuture<ReadSet> result() {
        return result;
    }

    /** Parks the fetch; {@code maxWaitMs} is already capped by the listener's limit. */
    void start(int maxWaitMs) {
        for (Target target : reader.targets()) {
            if (target.known()) {
                watches.subscribe(target.topic(), target.partition(), wake);
            }
        }
        deadline = timer.schedule(() -> finish(reader.readAll()), maxWaitMs, TimeUnit.MILLISECONDS);
        if (finished.get()) {
            deadline.cancel(false);
        }
        // An append between the caller's first read and the subscriptions above woke nobody: look once more.
        recheck();
    }

    private void recheck() {
        if (finished.get()) {
            return;
        }
        ReadSet reads = reader.readAll();
        if (reads.anyError() || reads.totalBytes() >= minBytes) {
            finish(reads);
        }
    }

    private void finish(ReadSet reads) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> pending = deadline;
        if (pending != null) {
            pending.cancel(false);
        }
        for (Target target : reader.targets()) {
            watches.unsubscribe(target.topic(), target.partition(), wake);
        }
        result.complete(reads);
    }
}
