package io.rlog.chaos.workload;

import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;
import io.rlog.chaos.history.Record;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A subscribe-mode consumer of one group that commits its position after every non-empty poll (commitSync),
 * crashing now and then like the others. Each assignment is an {@link Op.Assign} with the positions the group
 * resumes from; each commit an {@link Op.Commit}. Only runs with {@link WorkloadParams#groups()}: it needs the
 * group coordinator APIs (FindCoordinator, JoinGroup, SyncGroup, OffsetCommit...) in the broker.
 */
public final class GroupWorker implements Runnable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final WorkloadContext ctx;
    private final String group;

    public GroupWorker(WorkloadContext ctx, String group) {
        this.ctx = ctx;
        this.group = group;
    }

    @Override
    public void run() {
        SplittableRandom r = ctx.randomForWorker();
        while (!ctx.isStopped()) {
            int process = ctx.nextProcess();
            long crashAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.crashAfterMs(r));
            KafkaConsumer<String, String> c = new KafkaConsumer<>(ClientConfigs.groupConsumer(ctx.bootstrap(), group));
            try {
                c.subscribe(List.of(ctx.topic()), listener(c, process));
                while (!ctx.isStopped() && System.nanoTime() - crashAt < 0) {
                    pollAndCommit(c, process);
                }
            } finally {
                c.close(CloseOptions.timeout(ctx.isStopped() ? Duration.ofSeconds(5) : Duration.ZERO));
            }
        }
    }

    private ConsumerRebalanceListener listener(KafkaConsumer<String, String> c, int process) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // Nothing: commits are synchronous after every poll, so nothing is pending.
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                long t0 = ctx.recorder().now();
                Map<Integer, Long> positions = new TreeMap<>();
                try {
                    partitions.forEach(tp -> positions.put(tp.partition(), c.position(tp)));
                } catch (RuntimeException e) {
                    // Without positions the next poll is unchecked against a seek; record nothing.
                    return;
                }
                ctx.recorder().complete(process, Outcome.OK, t0, null, m -> new Op.Assign(m, new TreeMap<>(positions)));
            }
        };
    }

    private void pollAndCommit(KafkaConsumer<String, String> c, int process) {
        long t0 = ctx.recorder().now();
        ConsumerRecords<String, String> got;
        try {
            got = c.poll(POLL);
        } catch (RuntimeException e) {
            ctx.recorder().complete(process, Errors.ofCompletion(e), t0, Errors.describe(e), m -> new Op.Poll(m, List.of()));
            return;
        }
        if (got.isEmpty()) {
            return;
        }
        List<Record> records = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (ConsumerRecord<String, String> rec : got) {
            records.add(new Record(rec.partition(), rec.offset(), Long.parseLong(rec.value())));
            commit.put(new TopicPartition(rec.topic(), rec.partition()), new OffsetAndMetadata(rec.offset() + 1));
        }
        ctx.recorder().complete(process, Outcome.OK, t0, null, m -> new Op.Poll(m, records));
        Map<Integer, Long> offsets = new TreeMap<>();
        commit.forEach((tp, om) -> offsets.put(tp.partition(), om.offset()));
        long c0 = ctx.recorder().now();
        try {
            c.commitSync(commit, Duration.ofMillis(ClientConfigs.API_TIMEOUT_MS));
            ctx.recorder().complete(process, Outcome.OK, c0, null, m -> new Op.Commit(m, group, new TreeMap<>(offsets)));
        } catch (RuntimeException e) {
            ctx.recorder().complete(process, Errors.ofCompletion(e), c0, Errors.describe(e),
                    m -> new Op.Commit(m, group, new TreeMap<>(offsets)));
        }
    }
}
