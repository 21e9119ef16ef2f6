package io.rlog.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/** Starts listeners over an {@link InMemoryBroker} on ephemeral loopback ports and closes them after each test. */
abstract class ListenerFixture {
    final InMemoryBroker broker = new InMemoryBroker();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    static ListenerConfig testConfig() {
        return ListenerConfig.defaults().withAdvertisedHost("127.0.0.1").withAutoCreateTopicsEnable(false);
    }

    KafkaListener start(ListenerConfig config) throws IOException {
        return start(config, ServingGate.opened());
    }

    KafkaListener start(ListenerConfig config, ServingGate gate) throws IOException {
        KafkaListener listener = new KafkaListener(broker, null, config, gate);
        toClose.add(listener);
        listener.start("127.0.0.1", 0);
        return listener;
    }

    WireClient connect(KafkaListener listener) throws IOException {
        WireClient client = new WireClient(listener.port());
        toClose.add(0, client);
        return client;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    /** Waits for a condition, polling, failing after {@code timeout}; the bound keeps a broken test from hanging. */
    static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
