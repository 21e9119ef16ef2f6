package io.rlog.cli.bench;

import io.rlog.cli.local.PortScheme;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The configuration of the bench's Kafka brokers: Kafka's defaults except what a loopback KRaft cluster in
 * combined mode needs (every broker is also a controller voter) and internal topics sized for 3 nodes. Pure.
 */
final class KafkaBrokerConfig {
    private KafkaBrokerConfig() {}

    /** Settings shared by every broker; {@link #file} adds the per-node ones. */
    static Map<String, String> shared(PortScheme ports, Map<String, String> extra) {
        int n = ports.nodes();
        String voters = IntStream.rangeClosed(1, n)
                .mapToObj(k -> k + "@" + KafkaCluster.LOOPBACK + ":" + ports.raftPort(k))
                .collect(Collectors.joining(","));
        Map<String, String> s = new LinkedHashMap<>();
        s.put("process.roles", "broker,controller");
        s.put("controller.quorum.voters", voters);
        s.put("controller.listener.names", "CONTROLLER");
        s.put("inter.broker.listener.name", "PLAINTEXT");
        s.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        s.put("offsets.topic.replication.factor", Integer.toString(Math.min(3, n)));
        s.put("transaction.state.log.replication.factor", Integer.toString(Math.min(3, n)));
        s.put("transaction.state.log.min.isr", Integer.toString(Math.min(2, n)));
        s.put("share.coordinator.state.topic.replication.factor", Integer.toString(Math.min(3, n)));
        s.put("share.coordinator.state.topic.min.isr", Integer.toString(Math.min(2, n)));
        s.put("group.initial.rebalance.delay.ms", "0");
        s.put("auto.create.topics.enable", "false");
        s.putAll(extra);
        return s;
    }

    /** One broker's server.properties. */
    static String file(Map<String, String> brokerSettings, PortScheme ports, int node, Path dataDir) {
        Properties p = new Properties();
        brokerSettings.forEach(p::setProperty);
        p.setProperty("node.id", Integer.toString(node));
        p.setProperty("listeners", "PLAINTEXT://" + KafkaCluster.LOOPBACK + ":" + ports.kafkaPort(node)
                + ",CONTROLLER://" + KafkaCluster.LOOPBACK + ":" + ports.raftPort(node));
        p.setProperty("advertised.listeners", "PLAINTEXT://" + KafkaCluster.LOOPBACK + ":" + ports.kafkaPort(node));
        p.setProperty("log.dirs", dataDir.toAbsolutePath().toString());
        StringBuilder out = new StringBuilder("# written by rlog bench\n");
        p.stringPropertyNames().stream().sorted()
                .forEach(k -> out.append(k).append('=').append(p.getProperty(k)).append('\n'));
        return out.toString();
    }

    /** INFO to stdout (the node's server.log), as an rlog node logs. */
    static final String LOG4J2 = String.join("\n",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = STDOUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = STDOUT",
            "");
}
