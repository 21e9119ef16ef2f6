package io.rlog.node;

/**
 * The node's limits in one place, each with why it exists. Read from the node's settings; checked against
 * each other at start.
 */
public record Limits(int partitionsPerTopicMax, int messageMaxBytes, int socketRequestMaxBytes) {

    public Limits {
        if (messageMaxBytes > socketRequestMaxBytes) {
            throw new IllegalArgumentException("message.max.bytes " + messageMaxBytes
                    + " exceeds socket.request.max.bytes " + socketRequestMaxBytes + ": no batch could ever arrive");
        }
        if (partitionsPerTopicMax <= 0) {
            throw new IllegalArgumentException("partitions.per.topic.max must be positive");
        }
    }

    static Limits from(NodeConfig c) {
        return new Limits(
                // Each partition is a Raft group with its own threads and buffers: cap what one request can create.
                c.intSetting("partitions.per.topic.max", 10_000),
                // Kafka's default largest batch (1 MiB plus record overhead).
                c.intSetting("message.max.bytes", 1_048_588),
                // Kafka's default largest request: refused before any allocation.
                c.intSetting("socket.request.max.bytes", 104_857_600));
    }
}
