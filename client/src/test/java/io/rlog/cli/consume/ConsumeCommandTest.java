package io.rlog.cli.consume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rlog.cli.CommandFailedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Positioning and the print loop of `rlog consume`, against kafka-clients' MockConsumer. */
class ConsumeCommandTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private final MockConsumer<String, String> consumer = new MockConsumer<>("none");

    private void twoPartitionsWithOffsets3To10() {
        consumer.updatePartitions("t", List.of(
                new PartitionInfo("t", 0, null, null, null), new PartitionInfo("t", 1, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 3L, P1, 3L));
        consumer.updateEndOffsets(Map.of(P0, 10L, P1, 10L));
    }

    @Test
    void fromBeginningAssignsEveryPartitionAtItsFirstOffset() {
        twoPartitionsWithOffsets3To10();
        new Positioning.Manual(true).attach(consumer, "t");
        assertEquals(java.util.Set.of(P0, P1), consumer.assignment());
        assertEquals(3L, consumer.position(P0));
        assertEquals(3L, consumer.position(P1));
    }

    @Test
    void otherwiseEveryPartitionStartsAtItsEnd() {
        twoPartitionsWithOffsets3To10();
        new Positioning.Manual(false).attach(consumer, "t");
        assertEquals(10L, consumer.position(P0));
        assertEquals(10L, consumer.position(P1));
    }

    @Test
    void aTopicWithoutPartitionsIsNotFound() {
        assertThrows(CommandFailedException.class, () -> new Positioning.Manual(true).attach(consumer, "missing"));
    }

    @Test
    void printsUntilMaxMessages() {
        twoPartitionsWithOffsets3To10();
        new Positioning.Manual(true).attach(consumer, "t");
        for (long offset = 3; offset < 6; offset++) {
            consumer.addRecord(new ConsumerRecord<>("t", 0, offset, "k" + offset, "v" + offset));
        }
        ConsumeCommand command = new ConsumeCommand();
        command.printKey = true;
        command.maxMessages = 2L;
        StringWriter out = new StringWriter();

        assertEquals(2, command.printUntilDone(consumer, new PrintWriter(out)));
        assertEquals("k3\tv3\nk4\tv4\n", out.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void stopsWhenTheTimeoutPassesWithNothingNew() {
        twoPartitionsWithOffsets3To10();
        new Positioning.Manual(true).attach(consumer, "t");
        consumer.addRecord(new ConsumerRecord<>("t", 1, 3L, null, "only"));
        ConsumeCommand command = new ConsumeCommand();
        command.timeoutMs = 0L;
        StringWriter out = new StringWriter();

        assertEquals(1, command.printUntilDone(consumer, new PrintWriter(out)));
        assertEquals("only\n", out.toString().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void recordsPrintAsValueOrKeyTabValue() {
        assertEquals("v", ConsumeCommand.format("k", "v", false));
        assertEquals("k\tv", ConsumeCommand.format("k", "v", true));
        assertEquals("null\tnull", ConsumeCommand.format(null, null, true));
        assertEquals("null", ConsumeCommand.format(null, null, false));
    }
}
