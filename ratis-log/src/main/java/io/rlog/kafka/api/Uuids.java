package io.rlog.kafka.api;

import java.util.UUID;
import org.apache.kafka.common.Uuid;

/** Between the broker's java.util.UUID and Kafka's wire Uuid (zero means "none" on the wire). */
public final class Uuids {
    private Uuids() {}

    public static Uuid toKafka(UUID id) {
        return id == null ? Uuid.ZERO_UUID : new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    public static UUID fromKafka(Uuid id) {
        return id == null || Uuid.ZERO_UUID.equals(id)
                ? null : new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }
}
