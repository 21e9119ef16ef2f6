package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ListenerConfigTest {

    @Test
    void contradictoryLimitsAreRefusedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> ListenerConfig.defaults().withSocketRequestMaxBytes(1000));
        assertThrows(IllegalArgumentException.class,
                () -> ListenerConfig.defaults().withMaxInFlightRequestsPerConnection(0));
        assertThrows(IllegalArgumentException.class, () -> ListenerConfig.defaults().withTopicDefaults(1, (short) 0));
        assertThrows(IllegalArgumentException.class, () -> ListenerConfig.defaults().withMetadataLeaderWaitMs(-1));
        assertEquals(0, ListenerConfig.defaults().withMetadataLeaderWaitMs(0).metadataLeaderWaitMs(), "0: never wait");
    }

    @Test
    void clientTimeoutsAreClampedToTheMaximum() {
        ListenerConfig config = ListenerConfig.defaults().withRequestTimeoutMsMax(5_000);
        assertEquals(5_000, config.clampRequestTimeoutMs(60_000));
        assertEquals(1_000, config.clampRequestTimeoutMs(1_000));
        assertEquals(0, config.clampRequestTimeoutMs(-1));
    }
}
