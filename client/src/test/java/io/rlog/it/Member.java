package io.rlog.it;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-process group member on its own thread that records what it owns, what it read, every offset commit it
 * got acknowledged (with its time), and where it resumed each partition after an assignment.
 */
final class Member implements AutoCloseable {
    /** An acknowledged commit: sent at {@code startNanos}, acknowledged at {@code nanos}. */
    record Commit(long startNanos, long nanos, TopicPartition partition, long offset) {}

    record Resume(long nanos, TopicPartition partition, long offset) {}

    final List<ConsumerRecord<String, String>> consumed = new CopyOnWriteArrayList<>();
    final List<Commit> commits = new CopyOnWriteArrayList<>();
    final List<Resume> resumes = new CopyOnWriteArrayList<>();
    final List<Long> failedCommitNanos = new CopyOnWriteArrayList<>();
    final AtomicReference<Set<TopicPartition>> owned = new AtomicReference<>(Set.of());
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final KafkaConsumer<String, String> consumer;
    private final boolean commitEachPoll;
    private final Thread thread;
    private final Map<TopicPartition, Long> next = new ConcurrentHashMap<>();
    private volatile boolean stop;

    static Properties props(String bootstrap, String group, int sessionTimeoutMs) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.min(3_000, sessionTimeoutMs / 6));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return p;
    }

    Member(Properties props, String topic, boolean commitEachPoll) {
        this.consumer = new KafkaConsumer<>(props);
        this.commitEachPoll = commitEachPoll;
        this.thread = new Thread(() -> run(topic), "member");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(String topic) {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (commitEachPoll) {
                        commit();
                    }
                    update(partitions, false);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    long now = System.nanoTime();
                    for (TopicPartition tp : partitions) {
                        resumes.add(new Resume(now, tp, consumer.position(tp)));
                    }
                    update(partitions, true);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    update(partitions, false);
                }
            });
            while (!stop) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> r : records) {
                    consumed.add(r);
                    next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
                if (commitEachPoll && !records.isEmpty()) {
                    commit();
                }
            }
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            consumer.close();
        }
    }

    private void update(Collection<TopicPartition> partitions, boolean add) {
        Set<TopicPartition> now = new HashSet<>(owned.get());
        if (add) {
            now.addAll(partitions);
        } else {
            now.removeAll(partitions);
            partitions.forEach(next::remove);
        }
        owned.set(Set.copyOf(now));
    }

    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        next.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
        offsets.keySet().retainAll(consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(30));
            long now = System.nanoTime();
            offsets.forEach((tp, o) -> commits.add(new Commit(start, now, tp, o.offset())));
        } catch (CommitFailedException e) {
            failedCommitNanos.add(System.nanoTime());
        } catch (KafkaException e) {
            // Retriable errors that outlived the timeout, or a rebalance: the next poll rejoins and retries.
            failedCommitNanos.add(System.nanoTime());
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(60_000);
    }
}
