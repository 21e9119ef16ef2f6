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

    /**
     * Whether a transaction that has not ended yet committed an offset of {@code group} for {@code partition}
     * (TxnOffsetCommit before its marker): OffsetFetch with requireStable answers UNSTABLE_OFFSET_COMMIT then.
     */
    boolean hasPendingTxnOffsets(String group, TopicPartition partition);

    /** The transaction coordinator's record of {@code transactionalId}, if one was stored here. */
    Optional<io.rlog.proto.TxnRecord> transaction(String transactionalId);

    /** Every transactional id with a record here, with its record. */
    Map<String, io.rlog.proto.TxnRecord> transactions();
}
