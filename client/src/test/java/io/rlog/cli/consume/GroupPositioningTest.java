package io.rlog.cli.consume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** `rlog consume --group`: it subscribes, and commits what it printed, only for partitions it still owns. */
class GroupPositioningTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    /** Every map this consumer was asked to commit. */
    private final List<Map<TopicPartition, OffsetAndMetadata>> commits = new java.util.ArrayList<>();
    private final MockConsumer<String, String> consumer = new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            commits.add(offsets);
            super.commitAsync(offsets, callback);
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            commits.add(offsets);
            super.commitSync(offsets);
        }
    };

    @Test
    void fromBeginningMeansEarliestWhereTheGroupHasNoOffset() {
        assertEquals("earliest", new Positioning.Group("g", true).clientDefaults().get("auto.offset.reset"));
        assertEquals("latest", new Positioning.Group("g", false).clientDefaults().get("auto.offset.reset"));
        assertEquals("g", new Positioning.Group("g", false).clientDefaults().get("group.id"));
    }

    @Test
    void commitsThePrintedRecordsOfOwnedPartitionsOnly() {
        consumer.updatePartitions("t", List.of(new PartitionInfo("t", 0, null, null, null),
                new PartitionInfo("t", 1, null, null, null)));
        Positioning.Group group = new Positioning.Group("g", true);
        group.attach(consumer, "t");
        assertEquals(Set.of("t"), consumer.subscription());
        consumer.rebalance(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.addRecord(new ConsumerRecord<>("t", 0, 0L, "k0", "v0"));
        consumer.addRecord(new ConsumerRecord<>("t", 1, 0L, "k1", "v1"));
        consumer.addRecord(new ConsumerRecord<>("t", 1, 1L, "k2", "v2"));
        ConsumeCommand command = new ConsumeCommand();
        command.positioning = group;
        command.maxMessages = 3L;
        StringWriter out = new StringWriter();
        assertEquals(3, command.printUntilDone(consumer, new PrintWriter(out)));
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(P0, P1));
        assertEquals(1, committed.get(P0).offset());
        assertEquals(2, committed.get(P1).offset());

        // P1 moves to another member: this one must not commit its old position of P1 over the new owner's.
        consumer.rebalance(List.of(P0));
        commits.clear();
        consumer.addRecord(new ConsumerRecord<>("t", 0, 1L, "k3", "v3"));
        command.maxMessages = 1L;
        assertEquals(1, command.printUntilDone(consumer, new PrintWriter(out)));
        assertEquals(2, consumer.committed(Set.of(P0)).get(P0).offset());
        commits.forEach(c -> assertNull(c.get(P1), "committed a partition it no longer owns: " + c));
    }
}
