package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RecordValueTest {

    @Test
    void roundTripsTheHeaderAtTheRecordSize() {
        RecordValue v = new RecordValue(42, 100, 7);
        byte[] b = v.encode(123_456, 987_654_321L);
        assertEquals(100, b.length);
        RecordValue.Header h = v.decode(b);
        assertEquals(123_456, h.seq());
        assertEquals(987_654_321L, h.sendNanos());
    }

    @Test
    void valuesAreUniquePerSequenceAndForeignRunsAreRecognised() {
        RecordValue v = new RecordValue(1, 64, 7);
        assertNotEquals(Arrays.toString(v.encode(1, 0)), Arrays.toString(v.encode(2, 0)));
        assertNull(new RecordValue(2, 64, 7).decode(v.encode(1, 0)));
        assertNull(v.decode(new byte[10]));
        assertNull(v.decode(null));
    }

    @Test
    void fillerIsLettersSoCompressionHasWorkToDo() {
        byte[] b = new RecordValue(1, 1024, 7).encode(0, 0);
        for (int i = RecordValue.HEADER_BYTES; i < b.length; i++) {
            assertEquals(true, b[i] >= 'A' && b[i] <= 'Z');
        }
    }

    @Test
    void refusesRecordsTooSmallForTheHeader() {
        assertThrows(IllegalArgumentException.class, () -> new RecordValue(1, RecordValue.HEADER_BYTES - 1, 0));
    }
}
