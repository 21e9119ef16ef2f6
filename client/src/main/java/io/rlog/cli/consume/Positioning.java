package io.rlog.cli.consume;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * How `rlog consume` attaches its consumer to the topic. Today only {@link Manual}: no group, every
 * partition assigned. A later `--group G` adds a second implementation that subscribes and lets the group
 * coordinator assign (with --from-beginning mapping to auto.offset.reset=earliest); the loop is unchanged.
 */
interface Positioning {
    void attach(Consumer<?, ?> consumer, String topic);

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
}
