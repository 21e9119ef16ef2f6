package io.rlog.cli.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The full read-back after a case: a fresh consumer reads every partition from its start to the end offset
 * found once the producer finished and any fault healed, counting each offset once into the loss account.
 */
final class ReadBack {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(15);

    private ReadBack() {}

    /** @return whether every partition was read to its end offset before the timeout */
    static boolean run(Properties config, List<TopicPartition> partitions, RecordValue values, LossAccount account,
                       Duration timeout) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = null;
            while (end == null) {
                try {
                    end = consumer.endOffsets(partitions, END_OFFSETS_TIMEOUT);
                } catch (TimeoutException e) {
                    if (System.nanoTime() - deadlineNs > 0) {
                        return false; // a healed cluster should answer well within the bound
                    }
                }
            }
            Map<TopicPartition, Long> lastOffset = new HashMap<>();
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() - deadlineNs > 0) {
                    return false;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    Long last = lastOffset.get(tp);
                    if (last != null && r.offset() <= last) {
                        continue; // the same offset delivered again is not a duplicate record
                    }
                    lastOffset.put(tp, r.offset());
                    RecordValue.Header h = values.decode(r.value());
                    if (h == null) {
                        account.foreign();
                    } else {
                        account.read(h.seq());
                    }
                }
            }
            return true;
        }
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
