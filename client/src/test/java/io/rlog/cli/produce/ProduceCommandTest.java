package io.rlog.cli.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** How stdin lines become records. */
class ProduceCommandTest {
    @Test
    void aLineSplitsAtTheFirstKeySeparator() {
        ProducerRecord<String, String> r = ProduceCommand.toRecord("t", ":", "k:v:w");
        assertEquals("t", r.topic());
        assertEquals("k", r.key());
        assertEquals("v:w", r.value());
    }

    @Test
    void withoutASeparatorTheWholeLineIsTheValue() {
        ProducerRecord<String, String> r = ProduceCommand.toRecord("t", null, "a:b");
        assertNull(r.key());
        assertEquals("a:b", r.value());
    }

    @Test
    void aLineLackingTheRequiredSeparatorIsRejected() {
        assertNull(ProduceCommand.toRecord("t", "::", "a:b"));
    }

    @Test
    void anEmptyKeyIsKeptAsEmpty() {
        assertEquals("", ProduceCommand.toRecord("t", ":", ":v").key());
    }
}
