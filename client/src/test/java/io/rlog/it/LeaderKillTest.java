package io.rlog.it;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL of the partition leader while an idempotent acks=all producer streams: every acknowledged record is
 * in the log at the offset it was acknowledged with, and no record appears twice.
 */
class LeaderKillTest extends ProcessClusterTest {

    @Test
    void killingTheLeaderLosesAndDuplicatesNothing() throws Exception {
        String topic = "kill-leader";
        createTopic(topic, 1, 3);
        int total = 20_000;
        Map<String, Long> acked = new ConcurrentHashMap<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong lastAckNs = new AtomicLong(System.nanoTime());
        AtomicLong longestGapNs = new AtomicLong();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        int killed = -1;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < total; i++) {
                String value = "v" + i;
                producer.send(new ProducerRecord<>(topic, value), (md, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                        return;
                    }
                    long now = System.nanoTime();
                    long gap = now - lastAckNs.getAndSet(now);
                    longestGapNs.accumulateAndGet(gap, Math::max);
                    acked.put(value, md.offset());
                });
                if (i == total / 4) {
                    producer.flush();
                    killed = leaderOf(topic, 0);
                    lastAckNs.set(System.nanoTime());
                    longestGapNs.set(0);
                    cluster.kill(killed);
                }
            }
            producer.flush();
        }
        System.out.printf("leader-kill: killed node %d, acked=%d failed=%d longest ack gap after kill=%d ms%n",
                killed, acked.size(), failed.get(), longestGapNs.get() / 1_000_000);
        cluster.restart(killed);
        List<List<ConsumerRecord<String, String>>> read = readAll(topic, 1, acked.size(), Duration.ofSeconds(60));
        Map<String, Long> seen = new HashMap<>();
        for (ConsumerRecord<String, String> r : read.get(0)) {
            Long previous = seen.put(r.value(), r.offset());
            assertEquals(null, previous, "duplicate record " + r.value() + " at " + previous + " and " + r.offset());
        }
        for (Map.Entry<String, Long> e : acked.entrySet()) {
            Long at = seen.get(e.getKey());
            assertNotNull(at, "acknowledged record lost: " + e.getKey());
            assertEquals(e.getValue(), at, "acknowledged offset of " + e.getKey());
        }
        assertTrue(acked.size() > total / 2, "most sends acknowledged: " + acked.size());
        assertEquals(total, acked.size() + failed.get());
    }
}
