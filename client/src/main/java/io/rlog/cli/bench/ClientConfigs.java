package io.rlog.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The Kafka client settings of a case, identical for every system under test. */
final class ClientConfigs {
    private ClientConfigs() {}

    static Properties admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "rlog-bench-admin");
        return p;
    }

    /** The identical client settings for every system: only what the case names, plus --producer-property. */
    static Properties producer(WorkloadRunner.Context ctx, CaseSpec spec) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.target().bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "rlog-bench-producer");
        p.putAll(producerSettings(spec));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(ctx.producerOverrides());
        return p;
    }

    /** The producer settings a case implies; idempotence is on exactly when acks=all, as the client allows. */
    static Map<String, String> producerSettings(CaseSpec spec) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(ProducerConfig.ACKS_CONFIG, spec.acks());
        s.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString(spec.acks().equals("all")));
        s.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(spec.lingerMs()));
        s.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(spec.batchSize()));
        s.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, spec.compression());
        return s;
    }

    static Properties consumer(WorkloadRunner.Context ctx, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.target().bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putAll(ctx.consumerOverrides());
        return p;
    }
}
