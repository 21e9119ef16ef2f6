package io.rlog.node;

import io.rlog.kafka.ServingGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Opens a starting node's {@link ServingGate} once its metadata replica has applied everything the metadata group
 * had committed when the node started. It commits a CommitNotice through the group's leader, whose index is then
 * above every entry committed before, and waits until the local replica has applied that index. Without a quorum
 * the write fails after the metadata client's retries; it is tried again every {@code retryMs} until it
 * succeeds or the node closes (its executor then refuses the next try). Meanwhile the node holds its clients'
 * requests, as a Kafka broker that has not caught up with the metadata log does not process any.
 */
final class MetadataCatchUp {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataCatchUp.class);

    private final MetadataWriter writer;
    private final LongSupplier localAppliedIndex;
    private final BooleanSupplier leaderKnown;
    private final ScheduledExecutorService executor;
    private final ServingGate gate;
    private final long pollMs;
    private final long retryMs;
    private final long startNanos = System.nanoTime();
    private int failures;

    MetadataCatchUp(MetadataWriter writer, LongSupplier localAppliedIndex, BooleanSupplier leaderKnown,
                    ScheduledExecutorService executor, ServingGate gate, long pollMs, long retryMs) {
        this.writer = writer;
        this.localAppliedIndex = localAppliedIndex;
        this.leaderKnown = leaderKnown;
        this.executor = executor;
        this.gate = gate;
        this.pollMs = pollMs;
        this.retryMs = retryMs;
    }

    void start() {
        schedule(this::commitNotice, 0);
    }

    private void commitNotice() {
        if (!leaderKnown.getAsBoolean()) {
            // Not before the local replica knows a leader: a write sent now would only use up its retries.
            schedule(this::commitNotice, pollMs);
            return;
        }
        writer.commitNoticeIndex().whenComplete((index, error) -> {
            if (error != null) {
                failures++;
                if (failures == 1) {
                    LOG.info("holding Kafka requests: the metadata group did not commit a notice yet ({}); trying"
                            + " again every {} ms", error.toString(), retryMs);
                } else {
                    LOG.debug("metadata notice failed again ({} times): {}", failures, error.toString());
                }
                schedule(this::commitNotice, retryMs);
            } else {
                schedule(() -> awaitApplied(index), 0);
            }
        });
    }

    private void awaitApplied(long index) {
        long applied = localAppliedIndex.getAsLong();
        if (applied < index) {
            schedule(() -> awaitApplied(index), pollMs);
            return;
        }
        LOG.info("metadata caught up to index {} {} ms after start; serving Kafka clients ({} requests held)",
                index, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), gate.heldCount());
        gate.open();
    }

    private void schedule(Runnable task, long delayMs) {
        try {
            executor.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // The node is closing: nothing will be served.
        }
    }
}
