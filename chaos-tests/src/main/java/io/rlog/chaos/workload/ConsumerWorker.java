package io.rlog.chaos.workload;

import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;
import io.rlog.chaos.history.Record;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One assign-mode consumer thread: reads every partition from an explicit position, records each non-empty
 * poll, and now and then crashes (abrupt close) and comes back as a new process that resumes where the old one
 * stopped or rereads from the start. Positions are explicit seeks, never automatic resets, so that every
 * repositioning is an {@link Op.Assign} in the history.
 */
public final class ConsumerWorker implements Runnable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final WorkloadContext ctx;
    /** isolation.level=read_committed: it must never return a record of an aborted transaction. */
    private final boolean readCommitted;
    /** Next offset to read per partition, carried across crashes. */
    private final Map<Integer, Long> next = new HashMap<>();

    public ConsumerWorker(WorkloadContext ctx) {
        this(ctx, false);
    }

    public ConsumerWorker(WorkloadContext ctx, boolean readCommitted) {
        this.ctx = ctx;
        this.readCommitted = readCommitted;
    }

    @Override
    public void run() {
        SplittableRandom r = ctx.randomForWorker();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < ctx.params().partitions(); p++) {
            tps.add(new TopicPartition(ctx.topic(), p));
            next.put(p, 0L);
        }
        while (!ctx.isStopped()) {
            int process = ctx.nextProcess();
            long crashAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.crashAfterMs(r));
            if (r.nextInt(3) == 0) {
                next.replaceAll((p, o) -> 0L); // a crashed reader that starts over, as a new subscriber would
            }
            KafkaConsumer<String, String> c = new KafkaConsumer<>(readCommitted
                    ? ClientConfigs.readCommittedConsumer(ctx.bootstrap()) : ClientConfigs.consumer(ctx.bootstrap()));
            try {
                c.assign(tps);
                seek(c, process, tps);
                while (!ctx.isStopped() && System.nanoTime() - crashAt < 0) {
                    pollOnce(c, process, tps);
                }
            } finally {
                // A crash abandons everything at once; the run's end closes politely.
                c.close(CloseOptions.timeout(ctx.isStopped() ? Duration.ofSeconds(5) : Duration.ZERO));
            }
        }
    }

    private void seek(KafkaConsumer<String, String> c, int process, List<TopicPartition> tps) {
        long t0 = ctx.recorder().now();
        for (TopicPartition tp : tps) {
            c.seek(tp, next.get(tp.partition()));
        }
        ctx.recorder().complete(process, Outcome.OK, t0, null, m -> new Op.Assign(m, new TreeMap<>(next)));
    }

    private void pollOnce(KafkaConsumer<String, String> c, int process, List<TopicPartition> tps) {
        long t0 = ctx.recorder().now();
        ConsumerRecords<String, String> got;
        try {
            got = c.poll(POLL);
        } catch (InvalidOffsetException e) {
            // Out of range: the log is shorter than our position (truncated?). Record it, restart from 0.
            ctx.recorder().complete(process, Outcome.INFO, t0, Errors.describe(e), m -> new Op.Poll(m, List.of(), readCommitted));
            next.replaceAll((p, o) -> 0L);
            seek(c, process, tps);
            return;
        } catch (RuntimeException e) {
            ctx.recorder().complete(process, Errors.ofCompletion(e), t0, Errors.describe(e),
                    m -> new Op.Poll(m, List.of(), readCommitted));
            return;
        }
        if (got.isEmpty()) {
            return; // empty polls say nothing the checker uses; leaving them out keeps histories small
        }
        List<Record> records = new ArrayList<>(got.count());
        for (ConsumerRecord<String, String> rec : got) {
            records.add(new Record(rec.partition(), rec.offset(), Long.parseLong(rec.value())));
            next.put(rec.partition(), rec.offset() + 1);
        }
        ctx.recorder().complete(process, Outcome.OK, t0, null, m -> new Op.Poll(m, records, readCommitted));
    }
}
