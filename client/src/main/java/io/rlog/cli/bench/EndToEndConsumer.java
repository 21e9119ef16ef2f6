package io.rlog.cli.bench;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads the case's topic while it is written, on its own thread, and records each record's end-to-end latency
 * (arrival here minus the send time in its value; same JVM, so the same nanoTime clock). Every partition is
 * assigned (no consumer group) from the beginning.
 */
final class EndToEndConsumer implements Runnable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final RecordValue values;
    private final LatencyRecorder latency;
    private final AtomicLong received = new AtomicLong();
    private final CountDownLatch positioned = new CountDownLatch(1);
    private volatile Throwable failure;

    EndToEndConsumer(Properties config, List<TopicPartition> partitions, RecordValue values, LatencyRecorder latency) {
        this.consumer = new KafkaConsumer<>(config);
        this.partitions = partitions;
        this.values = values;
        this.latency = latency;
    }

    @Override
    public void run() {
        try {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            for (TopicPartition tp : partitions) {
                consumer.position(tp); // resolves the start offsets now, before the producer starts
            }
            positioned.countDown();
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    long now = System.nanoTime();
                    RecordValue.Header h = values.decode(r.value());
                    if (h != null) {
                        latency.recordNanos(now - h.sendNanos());
                        received.incrementAndGet();
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() was called
        } catch (Throwable t) {
            failure = t;
        } finally {
            positioned.countDown();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Blocks until the consumer knows where each partition starts, or the bound passes. */
    boolean awaitPositioned(Duration timeout) throws InterruptedException {
        return positioned.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) && failure == null;
    }

    long received() {
        return received.get();
    }

    Throwable failure() {
        return failure;
    }

    /** Thread-safe: makes the polling thread leave its loop and close the consumer. */
    void stop() {
        consumer.wakeup();
    }
}
