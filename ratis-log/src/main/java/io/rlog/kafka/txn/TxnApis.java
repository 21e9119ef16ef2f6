package io.rlog.kafka.txn;

import io.rlog.broker.ErrorCodes;
import io.rlog.broker.GroupCoordinator;
import io.rlog.broker.TransactionCoordinator;
import io.rlog.kafka.api.HandlerTable;

/**
 * The transactional producer's APIs (KIP-98, the versions clients use when the broker finalizes no
 * {@code transaction.version}): AddPartitionsToTxn 0-3 (4 and later are between brokers), AddOffsetsToTxn 0-4, EndTxn
 * 0-4 and TxnOffsetCommit 0-4 (5 and later belong to transaction version 2), as one registration.
 */
public final class TxnApis {
    private TxnApis() {}

    public static void register(HandlerTable table, TransactionCoordinator txns, GroupCoordinator groups) {
        table.register(new AddPartitionsToTxnHandler(txns))
                .register(new AddOffsetsToTxnHandler(txns))
                .register(new EndTxnHandler(txns))
                .register(new TxnOffsetCommitHandler(groups));
    }

    /**
     * PRODUCER_FENCED exists from version {@code fencedFrom} of a response on; older clients know the same
     * condition as INVALID_PRODUCER_EPOCH (as Kafka answers them).
     */
    static short forVersion(short code, short version, int fencedFrom) {
        return code == ErrorCodes.PRODUCER_FENCED && version < fencedFrom ? ErrorCodes.INVALID_PRODUCER_EPOCH : code;
    }
}
