package io.rlog.kafka.group;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.clients.consumer.CommitFailedException;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One group member polling on its own thread (a KafkaConsumer is single-threaded). It publishes its assignment and
 * what it consumed; with {@code manualCommit} it commits what it processed after each poll and when partitions
 * are revoked (at-least-once: a record is committed only after it was recorded).
 */
final class ConsumerRunner implements AutoCloseable {
    final String name;
    final List<ConsumerRecord<String, String>> consumed = new CopyOnWriteArrayList<>();
    final AtomicReference<Set<TopicPartition>> assignment = new AtomicReference<>(Set.of());
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private final boolean manualCommit;
    private final Map<TopicPartition, OffsetAndMetadata> processed = new ConcurrentHashMap<>();
    private volatile boolean stop;

    ConsumerRunner(String name, Properties props, Collection<String> topics, boolean manualCommit) {
        this.name = name;
        this.manualCommit = manualCommit;
        this.consumer = new KafkaConsumer<>(props);
        this.thread = new Thread(() -> run(topics), "consumer-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Collection<String> topics) {
        try {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (manualCommit) {
                        commitProcessed();
                    }
                    Set<TopicPartition> now = new java.util.HashSet<>(assignment.get());
                    now.removeAll(partitions);
                    assignment.set(Set.copyOf(now));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    Set<TopicPartition> now = new java.util.HashSet<>(assignment.get());
                    now.addAll(partitions);
                    assignment.set(Set.copyOf(now));
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    Set<TopicPartition> now = new java.util.HashSet<>(assignment.get());
                    now.removeAll(partitions);
                    assignment.set(Set.copyOf(now));
                    partitions.forEach(processed::remove);
                }
            });
            while (!stop) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> r : records) {
                    consumed.add(r);
                    processed.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                if (manualCommit && !records.isEmpty()) {
                    commitProcessed();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(10)));
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    private void commitProcessed() {
        Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
        processed.forEach((tp, o) -> {
            if (consumer.assignment().contains(tp)) {
                mine.put(tp, o);
            }
        });
        if (mine.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(mine, Duration.ofSeconds(15));
            mine.keySet().forEach(tp -> processed.remove(tp, mine.get(tp)));
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The generation moved on: these records will be read again by the next owner (at-least-once).
        }
    }

    Set<TopicPartition> assignment() {
        return assignment.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(30_000);
        if (thread.isAlive()) {
            consumer.wakeup();
            thread.join(10_000);
        }
    }
}
