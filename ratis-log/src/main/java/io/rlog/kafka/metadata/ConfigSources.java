package io.rlog.kafka.metadata;

/**
 * Kafka's config source codes (DescribeConfigs v1+, CreateTopics v5+). The broker interface reports a topic's
 * effective configs without telling overrides from defaults, so topic entries are reported as topic configs:
 * showing a default as an override misleads less than hiding an override the user set.
 */
final class ConfigSources {
    static final byte DYNAMIC_TOPIC_CONFIG = 1;
    static final byte STATIC_BROKER_CONFIG = 4;
    static final byte DEFAULT_CONFIG = 5;

    private ConfigSources() {}
}
