package io.rlog.cli.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything `rlog bench` was asked to do, resolved and validated by {@link BenchCommand}.
 *
 * @param bootstrap       an existing cluster to measure instead of starting rlog nodes; null to start them
 * @param nodes           nodes of each local cluster (rlog and Kafka)
 * @param nodeSettings    extra node.properties lines for the rlog nodes (raft.log.fsync comes from each case)
 * @param kafkaLibs       the folder of Kafka's jars (compare-kafka profile)
 * @param workDir         where clusters keep their data during the run; deleted at the end
 * @param startTimeout    bound on a cluster's (or a restarted node's) start
 * @param closedLoopWindowBytes closed loop: record bytes sent and not yet acknowledged, at most
 * @param clusterWarmupS  seconds of unmeasured reference load on each freshly started cluster (0: none)
 * @param profile         record a JFR profile of every node during each case ({@link NodeProfiles})
 */
record BenchSettings(List<CaseSpec> cases, String bootstrap, int nodes, Map<String, String> nodeSettings,
                     boolean compareKafka, Path kafkaLibs, Map<String, String> kafkaSettings,
                     Map<String, String> producerOverrides, Map<String, String> consumerOverrides,
                     boolean manyPartitions, int manyPartitionsCount, int manyPartitionsDurationS, int idleIntervalS,
                     Path out, Path workDir, Duration startTimeout, long closedLoopWindowBytes, boolean quick,
                     String commandLine, int clusterWarmupS, boolean profile) {
    BenchSettings {
        cases = List.copyOf(cases);
        nodeSettings = Map.copyOf(nodeSettings);
        kafkaSettings = Map.copyOf(kafkaSettings);
        producerOverrides = Map.copyOf(producerOverrides);
        consumerOverrides = Map.copyOf(consumerOverrides);
    }
}
