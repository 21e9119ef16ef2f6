package io.rlog.cli.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A system under test: where to connect, and, for clusters the bench started, the node processes it may
 * fault. Broker ids in Kafka metadata equal the node numbers 1..N here, so a partition's leader id names the
 * node to kill. Calls come from the bench's threads; implementations say which may run concurrently.
 */
interface Target extends AutoCloseable {
    /** "rlog", "kafka" or "external". */
    String system();

    String bootstrapServers();

    /** The node numbers the bench controls; empty for a cluster it did not start. */
    List<Integer> nodes();

    /** Live node processes by node number, for CPU and memory figures; empty for a cluster it did not start. */
    Map<Integer, Long> pids() throws IOException;

    /** SIGKILL one node and wait until it is gone. */
    void kill(int node) throws IOException, InterruptedException;

    /** SIGSTOP one node. */
    void pause(int node) throws IOException, InterruptedException;

    /** SIGCONT one node. */
    void resume(int node) throws IOException, InterruptedException;

    /** Start the given stopped nodes again on their data, all at once, and wait until they serve. */
    void restart(List<Integer> nodes) throws IOException, InterruptedException;

    /** Topic configs every case topic gets on this system (Kafka: min.insync.replicas). */
    Map<String, String> topicConfigs(int rf);

    /**
     * Partition replicas the cluster's nodes host now, or -1 when unknown (Kafka, a cluster the bench did not
     * start, a node that does not answer). rlog removes a deleted topic's Raft groups in the background; the
     * bench waits for that before the next case, so the removal does not run during a measurement.
     */
    default long partitionReplicasHosted() throws InterruptedException {
        return -1;
    }

    /**
     * Each answering node's produce-stage histograms (rlog's /metrics), by node number; empty for systems without
     * them (Kafka, a cluster the bench did not start).
     */
    default Map<Integer, NodeStages> nodeStages() throws InterruptedException {
        return Map.of();
    }

    /** Settings recorded with the results: node or broker config, JVM flags. */
    Map<String, String> settings();

    @Override
    void close();
}
