package io.rlog.kafka;

/**
 * Every limit of the Kafka listener, in one place, units in the names. Checked against each other at construction:
 * a listener never starts with limits that contradict each other.
 *
 * @param socketRequestMaxBytes largest request frame accepted; a larger length prefix closes the connection before
 *     anything is allocated (Kafka's {@code socket.request.max.bytes})
 * @param messageMaxBytes largest record batch accepted for one partition (Kafka's {@code message.max.bytes}); also
 *     bounds the size of one Raft entry
 * @param maxInFlightRequestsPerConnection the listener stops reading a connection while this many of its responses
 *     are pending, so one client cannot queue unbounded work
 * @param maxConnections connections beyond this are closed at accept
 * @param fetchMaxWaitMsMax cap on a Fetch request's {@code max_wait_ms} (the long poll)
 * @param requestTimeoutMsMax cap on the timeouts clients pass (produce, create and delete topics)
 * @param autoCreateTopicsEnable Metadata requests may create unknown topics (Kafka's {@code auto.create.topics.enable})
 * @param numPartitions partitions of an auto-created topic, and of a CreateTopics entry asking for -1
 * @param defaultReplicationFactor replication factor of an auto-created topic, and of a CreateTopics entry asking for -1
 * @param advertisedHost host this node tells clients to connect to; null keeps the host of the cluster view
 * @param networkThreads selector threads that read, decode, dispatch and write (Kafka's {@code num.network.threads})
 * @param metadataLeaderWaitMs longest a Metadata answer naming topics waits, while one of their partitions has no
 *     leader here, for this node to learn of one (an election under way); 0 answers at once
 */
public record ListenerConfig(
        int socketRequestMaxBytes,
        int messageMaxBytes,
        int maxInFlightRequestsPerConnection,
        int maxConnections,
        int fetchMaxWaitMsMax,
        int requestTimeoutMsMax,
        boolean autoCreateTopicsEnable,
        int numPartitions,
        short defaultReplicationFactor,
        String advertisedHost,
        int networkThreads,
        int metadataLeaderWaitMs) {

    public ListenerConfig {
        requirePositive("socketRequestMaxBytes", socketRequestMaxBytes);
        requirePositive("messageMaxBytes", messageMaxBytes);
        requirePositive("maxInFlightRequestsPerConnection", maxInFlightRequestsPerConnection);
        requirePositive("maxConnections", maxConnections);
        requirePositive("fetchMaxWaitMsMax", fetchMaxWaitMsMax);
        requirePositive("requestTimeoutMsMax", requestTimeoutMsMax);
        requirePositive("numPartitions", numPartitions);
        requirePositive("defaultReplicationFactor", defaultReplicationFactor);
        requirePositive("networkThreads", networkThreads);
        if (metadataLeaderWaitMs < 0) {
            throw new IllegalArgumentException("metadataLeaderWaitMs must not be negative, got "
                    + metadataLeaderWaitMs);
        }
        // A batch must fit in a request, or a producer could never send one of the allowed size.
        if (messageMaxBytes > socketRequestMaxBytes) {
            throw new IllegalArgumentException("messageMaxBytes " + messageMaxBytes
                    + " exceeds socketRequestMaxBytes " + socketRequestMaxBytes);
        }
    }

    /** Kafka's broker defaults where Kafka has one. */
    public static ListenerConfig defaults() {
        return new ListenerConfig(104_857_600, 1_048_588, 100, 10_000, 30_000, 30_000, true, 1, (short) 1, null, 3,
                500);
    }

    public ListenerConfig withSocketRequestMaxBytes(int value) {
        return new ListenerConfig(value, messageMaxBytes, maxInFlightRequestsPerConnection, maxConnections,
                fetchMaxWaitMsMax, requestTimeoutMsMax, autoCreateTopicsEnable, numPartitions, defaultReplicationFactor,
                advertisedHost, networkThreads, metadataLeaderWaitMs);
    }

    public ListenerConfig withMessageMaxBytes(int value) {
        return new ListenerConfig(socketRequestMaxBytes, value, maxInFlightRequestsPerConnection, maxConnections,
                fetchMaxWaitMsMax, requestTimeoutMsMax, autoCreateTopicsEnable, numPartitions, defaultReplicationFactor,
                advertisedHost, networkThreads, metadataLeaderWaitMs);
    }

    public ListenerConfig withMaxInFlightRequestsPerConnection(int value) {
        return new ListenerConfig(socketRequestMaxBytes, messageMaxBytes, value, maxConnections,
                fetchMaxWaitMsMax, requestTimeoutMsMax, autoCreateTopicsEnable, numPartitions, defaultReplicationFactor,
                advertisedHost, networkThreads, metadataLeaderWaitMs);
    }

    public ListenerConfig withMaxConnections(int value) {
        return new ListenerConfig(socketRequestMaxBytes, messageMaxBytes, maxInFlightRequestsPerConnection, value,
                fetchMaxWaitMsMax, requestTimeoutMsMax, autoCreateTopicsEnable, numPartitions, defaultReplicationFactor,
                advertisedHost, networkThreads, metadataLeaderWaitMs);
    }

    public ListenerConfig withFetchMaxWaitMsMax(int value) {
        return new ListenerConfig(socketRequestMaxBytes, messageMaxBytes, maxInFlightRequestsPerConnection,
                maxConnections, value, requestTimeoutMsMax, autoCreateTopicsEnable, numPartitions,
                defaultReplicationFactor, advertisedHost, networkThreads, metadataLeaderWaitMs);
    }

    public ListenerConfig withRequestTimeoutMsMax(int value) {
        return new ListenerConfig(socketRequestMaxBytes, messageMaxBytes, maxInFlightRequestsPerConnection,
                maxConnections, fetchMaxWaitMsMax, value, autoCreateTopicsEnable, numPartitions,
                defaultReplicationFactor, advertisedHost, networkThreads, metadataLeaderWaitMs);
    }

    public ListenerConfig withAutoCreateTopicsEnable(boolean value) {
        return new ListenerConfig(socketRequestMaxBytes, messageMaxBytes, maxInFlightRequestsPerConnection,
                maxConnections, fetchMaxWaitMsMax, requestTimeoutMsMax, value, numPartitions, defaultReplicationFactor,
                advertisedHost, networkThreads, metadataLeaderWaitMs);
    }

    public ListenerConfig withTopicDefaults(int partitions, short replicationFactor) {
        return new ListenerConfig(socketRequestMaxBytes, messageMaxBytes, maxInFlightRequestsPerConnection,
                maxConnections, fetchMaxWaitMsMax, requestTimeoutMsMax, autoCreateTopicsEnable, partitions,
                replicationFactor, advertisedHost, networkThreads, metadataLeaderWaitMs);
    }

    public ListenerConfig withAdvertisedHost(String value) {
        return new ListenerConfig(socketRequestMaxBytes, messageMaxBytes, maxInFlightRequestsPerConnection,
                maxConnections, fetchMaxWaitMsMax, requestTimeoutMsMax, autoCreateTopicsEnable, numPartitions,
                defaultReplicationFactor, value, networkThreads, metadataLeaderWaitMs);
    }

    public ListenerConfig withNetworkThreads(int value) {
        return new ListenerConfig(socketRequestMaxBytes, messageMaxBytes, maxInFlightRequestsPerConnection,
                maxConnections, fetchMaxWaitMsMax, requestTimeoutMsMax, autoCreateTopicsEnable, numPartitions,
                defaultReplicationFactor, advertisedHost, value, metadataLeaderWaitMs);
    }

    public ListenerConfig withMetadataLeaderWaitMs(int value) {
        return new ListenerConfig(socketRequestMaxBytes, messageMaxBytes, maxInFlightRequestsPerConnection,
                maxConnections, fetchMaxWaitMsMax, requestTimeoutMsMax, autoCreateTopicsEnable, numPartitions,
                defaultReplicationFactor, advertisedHost, networkThreads, value);
    }

    /** Clamps a client-supplied timeout to [0, requestTimeoutMsMax]. */
    public int clampRequestTimeoutMs(int requestedMs) {
        return Math.max(0, Math.min(requestedMs, requestTimeoutMsMax));
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
