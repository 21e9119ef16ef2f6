package io.rlog.broker;

import io.rlog.broker.Broker.ProducerIdOutcome;
import io.rlog.broker.GroupCoordinator.CoordinatorOutcome;
import io.rlog.broker.GroupCoordinator.Partition;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the Kafka listener needs for transactional producers (KIP-98, the transaction protocol clients speak when
 * the broker finalizes no {@code transaction.version}). The coordinator of transactional id {@code t} is the leader
 * of {@code __consumer_offsets} partition {@code abs(t.hashCode()) % N}, as a group's is; each id's record lives in
 * that partition's Raft group, so a new coordinator finds every transaction where the old one left it.
 *
 * <p>Contract: as {@link GroupCoordinator}'s. Every method is non-blocking and thread-safe, futures never complete
 * exceptionally for an operating error, and a request for an id this node does not coordinate is answered
 * NOT_COORDINATOR (or COORDINATOR_LOAD_IN_PROGRESS while its leadership is not ready). Errors are Kafka's codes at
 * the newest request version; the handlers map PRODUCER_FENCED to INVALID_PRODUCER_EPOCH for older versions.
 */
public interface TransactionCoordinator {

    /** The node that coordinates {@code transactionalId}. */
    CoordinatorOutcome findCoordinator(String transactionalId);

    /**
     * InitProducerId for a transactional id: its producer id with a new epoch (a new id the first time, or when the
     * epoch is used up), after aborting a transaction the previous producer left open. {@code producerId} and
     * {@code epoch} are -1 unless the client asks to bump its own (KIP-360), which must then be the current ones.
     */
    CompletableFuture<ProducerIdOutcome> initProducerId(String transactionalId, int transactionTimeoutMs,
                                                        long producerId, short epoch);

    /** AddPartitionsToTxn (client versions 0-3): an error per partition. */
    CompletableFuture<Map<Partition, Short>> addPartitions(String transactionalId, long producerId, short epoch,
                                                           List<Partition> partitions);

    /** AddOffsetsToTxn: adds the {@code __consumer_offsets} partition of {@code groupId} to the transaction. */
    CompletableFuture<Short> addOffsets(String transactionalId, long producerId, short epoch, String groupId);

    /** EndTxn: completes once every partition of the transaction has its commit or abort marker. */
    CompletableFuture<Short> endTxn(String transactionalId, long producerId, short epoch, boolean commit);
}
