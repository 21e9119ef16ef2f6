package io.rlog.node;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Malformed and oversized frames sent to a real node close that connection; the node keeps serving. */
class BadInputTest {

    @Test
    void badFramesDoNotStopTheNode(@TempDir Path dir) throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 1, Map.of("socket.request.max.bytes", "1048576",
                "message.max.bytes", "1000000"))) {
            int port = cluster.node(1).kafkaPort();
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic("survivor", 1, (short) 1))).all().get();
                long before = produceOne(cluster.bootstrapServers(), "before");

                // A length prefix over socket.request.max.bytes: refused before allocation, connection closed.
                assertClosedAfter(port, frame(200 << 20, new byte[16]));
                // A frame of random bytes: undecodable header, connection closed.
                byte[] garbage = new byte[64];
                new Random(42).nextBytes(garbage);
                assertClosedAfter(port, frame(garbage.length, garbage));
                // A negative length.
                assertClosedAfter(port, frame(-5, new byte[0]));

                assertEquals(before + 1, produceOne(cluster.bootstrapServers(), "after"));
                assertEquals(1, admin.describeTopics(List.of("survivor")).allTopicNames().get().size());
            }
        }
    }

    private static byte[] frame(int length, byte[] body) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(length);
        d.write(body);
        return out.toByteArray();
    }

    private static void assertClosedAfter(int port, byte[] bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "the node closes the connection");
        }
    }

    private static long produceOne(String bootstrap, String value) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            RecordMetadata md = producer.send(new ProducerRecord<>("survivor", value)).get();
            return md.offset();
        }
    }
}
