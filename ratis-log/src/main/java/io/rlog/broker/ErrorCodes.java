package io.rlog.broker;

/** Kafka protocol error codes used by rlog (numbers from the Kafka protocol's error table). */
public final class ErrorCodes {
    private ErrorCodes() {}

    public static final short NONE = 0;
    public static final short OFFSET_OUT_OF_RANGE = 1;
    public static final short CORRUPT_MESSAGE = 2;
    public static final short UNKNOWN_TOPIC_OR_PARTITION = 3;
    public static final short LEADER_NOT_AVAILABLE = 5;
    public static final short NOT_LEADER_OR_FOLLOWER = 6;
    public static final short REQUEST_TIMED_OUT = 7;
    public static final short MESSAGE_TOO_LARGE = 10;
    public static final short NETWORK_EXCEPTION = 13;
    public static final short INVALID_TOPIC_EXCEPTION = 17;
    public static final short RECORD_LIST_TOO_LARGE = 18;
    public static final short NOT_ENOUGH_REPLICAS = 19;
    public static final short INVALID_REQUIRED_ACKS = 21;
    public static final short UNSUPPORTED_VERSION = 35;
    public static final short TOPIC_ALREADY_EXISTS = 36;
    public static final short INVALID_PARTITIONS = 37;
    public static final short INVALID_REPLICATION_FACTOR = 38;
    public static final short INVALID_REQUEST = 42;
    public static final short OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
    public static final short INVALID_PRODUCER_EPOCH = 47;
    public static final short INVALID_CONFIG = 40;
    public static final short POLICY_VIOLATION = 44;
    public static final short UNKNOWN_SERVER_ERROR = -1;
    public static final short KAFKA_STORAGE_ERROR = 56;
    public static final short UNKNOWN_PRODUCER_ID = 59;
    public static final short FENCED_LEADER_EPOCH = 74;
    public static final short UNKNOWN_LEADER_EPOCH = 75;
    public static final short THROTTLING_QUOTA_EXCEEDED = 89;
    public static final short PRODUCER_FENCED = 90;
    public static final short INVALID_RECORD = 87;
    public static final short NOT_COORDINATOR = 16;
    public static final short COORDINATOR_NOT_AVAILABLE = 15;
    public static final short COORDINATOR_LOAD_IN_PROGRESS = 14;
    public static final short INVALID_TXN_STATE = 48;
    public static final short INVALID_PRODUCER_ID_MAPPING = 49;
    public static final short INVALID_TRANSACTION_TIMEOUT = 50;
    public static final short CONCURRENT_TRANSACTIONS = 51;
    public static final short OPERATION_NOT_ATTEMPTED = 55;
    public static final short UNSTABLE_OFFSET_COMMIT = 88;
}
