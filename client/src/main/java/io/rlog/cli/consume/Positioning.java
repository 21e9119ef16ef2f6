package io.rlog.cli.consume;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * How `rlog consume` attaches its consumer to the topic: {@link Manual} (no group, every partition assigned) or
 * {@link Group} (a member of a consumer group: the coordinator assigns partitions and the group's committed offsets
 * say where to start). The print loop is the same for both; it reports what it printed so a group can commit it.
 */
interface Positioning {
    void attach(Consumer<?, ?> consumer, String topic);

    /** Client settings this positioning needs (a command's --property still wins). */
    default Map<String, Object> clientDefaults() {
        // No group: nothing to commit to.
        return Map.of("enable.auto.commit", "false");
    }

    /** After each poll's records were printed: {@code next} holds, per partition, the offset after the last one. */
    default void printed(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> next) {
    }

    /** Before the consumer closes. */
    default void finish(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> next) {
    }

    /** assign() over partitionsFor(topic), then seek every partition to its beginning or its end. */
    record Manual(boolean fromBeginning) implements Positioning {
        @Override
        public void attach(Consumer<?, ?> consumer, String topic) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new io.rlog.cli.CommandFailedException("topic " + topic + " not found");
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            // Seeks are lazy; asking the positions now fixes "the end" at start rather than at first poll.
            partitions.forEach(consumer::position);
        }
    }

    /**
     * subscribe() as a member of {@code groupId}. A partition with a committed offset resumes there; one without
     * starts at its beginning with --from-beginning, else at its end (auto.offset.reset, as Kafka's console
     * consumer). What was printed is committed (asynchronously after each poll that printed, synchronously at the
     * end), only for partitions this member still owns, so a record is committed only once it was printed and an
     * offset is never moved back over another member's progress.
     */
    final class Group implements Positioning {
        private final String groupId;
        private final boolean fromBeginning;
        private Map<TopicPartition, OffsetAndMetadata> lastCommitted = Map.of();

        Group(String groupId, boolean fromBeginning) {
            this.groupId = groupId;
            this.fromBeginning = fromBeginning;
        }

        @Override
        public Map<String, Object> clientDefaults() {
            return Map.of("group.id", groupId, "enable.auto.commit", "false",
                    "auto.offset.reset", fromBeginning ? "earliest" : "latest");
        }

        @Override
        public void attach(Consumer<?, ?> consumer, String topic) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new io.rlog.cli.CommandFailedException("topic " + topic + " not found");
            }
            consumer.subscribe(List.of(topic));
        }

        @Override
        public void printed(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> next) {
            // Partitions that moved to another member are forgotten: their progress is that member's now.
            next.keySet().retainAll(consumer.assignment());
            if (!next.isEmpty() && !next.equals(lastCommitted)) {
                lastCommitted = Map.copyOf(next);
                // A failed async commit (the group rebalanced) is covered by the next one or the final one.
                consumer.commitAsync(lastCommitted, null);
            }
        }

        @Override
        public void finish(Consumer<?, ?> consumer, Map<TopicPartition, OffsetAndMetadata> next) {
            next.keySet().retainAll(consumer.assignment());
            if (next.isEmpty()) {
                return;
            }
            try {
                consumer.commitSync(Map.copyOf(next));
            } catch (KafkaException e) {
                // The group rebalanced meanwhile; the partitions' new owners read them from the last commit.
            }
        }
    }
}
