package io.rlog.statemachine.offsets;

import io.rlog.proto.CommittedOffset;
import io.rlog.proto.GroupRecord;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Read access to the consumer-group state applied on one replica of a {@code __consumer_offsets} partition.
 * Thread-safe and non-blocking; reflects every applied entry (on a ready leader: every committed one).
 */
public interface OffsetReader {

    /** The committed offsets of {@code group}, by partition; empty when it committed none. */
    Map<TopicPartition, CommittedOffset> committed(String group);

    /** The group's stored record (protocol type, last generation), if one was stored. */
    Optional<GroupRecord> groupRecord(String group);

    /** Every group with committed offsets or a stored record. */
    Set<String> groups();
}
