package io.rlog.chaos.workload;

import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One producer thread: sends unique values to random partitions at a steady rate, with a bound on sends in
 * flight, and now and then crashes its producer (close with zero timeout, which abandons in-flight batches)
 * and carries on with a new instance, which is a new process in the history.
 */
public final class ProducerWorker implements Runnable {
    /** Keeps a partitioned producer from queueing thousands of sends that would all end as INFO. */
    private static final int IN_FLIGHT_MAX = 200;
    private static final Duration GRACEFUL_CLOSE = Duration.ofSeconds(12);

    private final WorkloadContext ctx;
    private final ProducerMode mode;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT_MAX);

    public ProducerWorker(WorkloadContext ctx, ProducerMode mode) {
        this.ctx = ctx;
        this.mode = mode;
    }

    @Override
    public void run() {
        SplittableRandom r = ctx.randomForWorker();
        long intervalMs = Math.max(1, 1000 / ctx.params().sendsPerSecond());
        try {
            while (!ctx.isStopped()) {
                int process = ctx.nextProcess();
                long crashAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.crashAfterMs(r));
                KafkaProducer<String, String> producer = new KafkaProducer<>(ClientConfigs.producer(ctx.bootstrap(), mode));
                boolean crash = false;
                try {
                    while (!ctx.isStopped()) {
                        if (System.nanoTime() - crashAt > 0) {
                            crash = true;
                            break;
                        }
                        if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            send(producer, process, r.nextInt(ctx.params().partitions()));
                        }
                        ctx.pauseDeliberately(intervalMs);
                    }
                } finally {
                    producer.close(crash ? Duration.ZERO : GRACEFUL_CLOSE);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(KafkaProducer<String, String> producer, int process, int partition) {
        long value = ctx.nextValue();
        long t0 = ctx.recorder().now();
        try {
            producer.send(new ProducerRecord<>(ctx.topic(), partition, "k" + partition, Long.toString(value)),
                    (md, e) -> {
                        inFlight.release();
                        if (e == null) {
                            complete(process, Outcome.OK, t0, null, partition, value,
                                    md.hasOffset() ? md.offset() : -1);
                        } else {
                            complete(process, Errors.ofCompletion(e), t0, Errors.describe(e), partition, value, -1);
                        }
                    });
        } catch (RuntimeException e) {
            inFlight.release();
            complete(process, Errors.ofSendCall(e), t0, Errors.describe(e), partition, value, -1);
        }
    }

    private void complete(int process, Outcome outcome, long t0, String error, int partition, long value, long offset) {
        ctx.recorder().complete(process, outcome, t0, error,
                m -> new Op.Send(m, partition, value, offset, mode.acks(), mode.idempotent()));
    }
}
