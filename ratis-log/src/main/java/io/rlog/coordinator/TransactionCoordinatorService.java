package io.rlog.coordinator;

import io.rlog.broker.Broker.ProducerIdOutcome;
import io.rlog.broker.ErrorCodes;
import io.rlog.broker.GroupCoordinator.CoordinatorOutcome;
import io.rlog.broker.GroupCoordinator.Partition;
import io.rlog.broker.TransactionCoordinator;
import io.rlog.coordinator.Placement.Place;
import io.rlog.coordinator.TxnTransitions.Decision;
import io.rlog.group.GroupErrors;
import io.rlog.node.MarkerWriter;
import io.rlog.node.MetadataView;
import io.rlog.node.NodeConfig;
import io.rlog.node.RaftHost;
import io.rlog.proto.OffsetsCommand;
import io.rlog.proto.StoreTxn;
import io.rlog.proto.TopicPartitionRef;
import io.rlog.proto.TopicRecord;
import io.rlog.proto.TxnMarker;
import io.rlog.proto.TxnRecord;
import io.rlog.proto.TxnState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The transaction coordinator of one node: it serves the transactional ids whose {@code __consumer_offsets}
 * partition this node leads (see {@link TransactionCoordinator}). Decisions are {@link TxnTransitions}'; this class
 * orders the calls of each id, writes each id's record through Raft before acting on it, and writes the markers.
 *
 * <p>Ending a transaction: the Prepare record is committed first, then a marker goes to every partition of the
 * transaction (each a Raft entry of that partition's group, {@link MarkerWriter}), then the Complete record. Should
 * the coordinator die between, its successor finds the Prepare record and writes the markers again (a marker for a
 * transaction already ended changes nothing). EndTxn is answered when the Complete record is written, so a client
 * that was answered knows every partition has its marker.
 *
 * <p>Threads: one coordinator thread runs the decisions; each id's calls run one after another (a call starts when
 * the previous one of the same id has completed), so a decision always reads the record the previous call wrote.
 * A timer aborts transactions that outlive their timeout and completes Prepare records left by a coordinator that
 * lost its leadership, every {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}.
 */
public final class TransactionCoordinatorService implements TransactionCoordinator, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinatorService.class);

    private final int nodeId;
    private final Placement placement;
    private final OffsetsWriter writer;
    private final MarkerWriter markers;
    private final MetadataView view;
    private final Supplier<CompletableFuture<ProducerIdOutcome>> producerIds;
    private final LongSupplier clockMs;
    private final int timeoutMsMax;
    private final long cleanupIntervalMs;
    private final ScheduledExecutorService executor;
    /** The last call of each transactional id; the next one starts after it. */
    private final ConcurrentHashMap<String, CompletableFuture<?>> tails = new ConcurrentHashMap<>();

    public TransactionCoordinatorService(NodeConfig config, RaftHost host, MetadataView view, OffsetsTopic topic,
                                         Supplier<CompletableFuture<ProducerIdOutcome>> producerIds) {
        this.nodeId = config.nodeId();
        this.placement = new Placement(host, topic, nodeId);
        int writeTimeoutMs = config.intSetting("transaction.state.write.timeout.ms", 5_000);
        this.writer = new OffsetsWriter(host, writeTimeoutMs);
        this.markers = new MarkerWriter(host, view, config.intSetting("transaction.marker.write.timeout.ms", 10_000));
        this.view = view;
        this.producerIds = producerIds;
        this.clockMs = System::currentTimeMillis;
        this.timeoutMsMax = config.intSetting("transaction.max.timeout.ms", 900_000);
        this.cleanupIntervalMs = config.intSetting("transaction.abort.timed.out.transaction.cleanup.interval.ms",
                10_000);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rlog-txn-coordinator-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        executor.scheduleWithFixedDelay(this::sweep, cleanupIntervalMs, cleanupIntervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public CoordinatorOutcome findCoordinator(String transactionalId) {
        return placement.findCoordinator(transactionalId);
    }

    // ------------------------------------------------------------------------------------------- requests

    @Override
    public CompletableFuture<ProducerIdOutcome> initProducerId(String transactionalId, int transactionTimeoutMs,
                                                               long producerId, short epoch) {
        if (transactionTimeoutMs <= 0 || transactionTimeoutMs > timeoutMsMax) {
            return done(pidError(ErrorCodes.INVALID_TRANSACTION_TIMEOUT));
        }
        return serialized(transactionalId, () -> {
            Place place = placement.locate(transactionalId);
            if (!place.ok()) {
                return done(pidError(place.errorCode()));
            }
            TxnRecord rec = place.sm().offsets().transaction(transactionalId).orElse(null);
            if (rec == null) {
                return fresh(place, transactionalId, transactionTimeoutMs);
            }
            if (producerId >= 0 && (producerId != rec.getProducerId() || epoch != rec.getProducerEpoch())) {
                return done(pidError(ErrorCodes.PRODUCER_FENCED));
            }
            CompletableFuture<Short> ended;
            if (TxnTransitions.preparing(rec.getState())) {
                ended = complete(place, rec);
            } else if (rec.getState() == TxnState.TXN_ONGOING) {
                LOG.info("aborting the open transaction of {} (producer {} epoch {}): a new producer initialized",
                        transactionalId, rec.getProducerId(), rec.getProducerEpoch());
                ended = prepareAndComplete(place, TxnTransitions.abortBumped(rec, clockMs.getAsLong()));
            } else {
                ended = done(ErrorCodes.NONE);
            }
            return ended.thenCompose(code -> {
                if (code != ErrorCodes.NONE) {
                    return done(pidError(code));
                }
                TxnRecord now = place.sm().offsets().transaction(transactionalId).orElseThrow();
                TxnRecord next = TxnTransitions.bumped(now, transactionTimeoutMs, clockMs.getAsLong());
                if (next == null) {
                    return fresh(place, transactionalId, transactionTimeoutMs);
                }
                return store(place, next).thenApply(c -> c != ErrorCodes.NONE ? pidError(c)
                        : new ProducerIdOutcome(ErrorCodes.NONE, next.getProducerId(), (short) next.getProducerEpoch()));
            });
        }, pidError(ErrorCodes.COORDINATOR_NOT_AVAILABLE));
    }

    /** A new producer id at epoch 0 for {@code transactionalId} (its first InitProducerId, or its epoch ran out). */
    private CompletableFuture<ProducerIdOutcome> fresh(Place place, String transactionalId, int timeoutMs) {
        return producerIds.get().thenCompose(pid -> {
            if (pid.errorCode() != ErrorCodes.NONE) {
                return done(pidError(pid.errorCode()));
            }
            TxnRecord rec = TxnTransitions.created(transactionalId, pid.producerId(), timeoutMs, clockMs.getAsLong());
            return store(place, rec).thenApply(c -> c != ErrorCodes.NONE ? pidError(c)
                    : new ProducerIdOutcome(ErrorCodes.NONE, rec.getProducerId(), (short) 0));
        });
    }

    @Override
    public CompletableFuture<Map<Partition, Short>> addPartitions(String transactionalId, long producerId, short epoch,
                                                                  List<Partition> partitions) {
        return serialized(transactionalId, () -> {
            Map<Partition, Short> out = new LinkedHashMap<>();
            Place place = placement.locate(transactionalId);
            if (!place.ok()) {
                return done(all(partitions, place.errorCode()));
            }
            TxnRecord rec = place.sm().offsets().transaction(transactionalId).orElse(null);
            short check = TxnTransitions.checkProducer(rec, producerId, epoch);
            if (check != ErrorCodes.NONE) {
                return done(all(partitions, check));
            }
            Map<String, TopicRecord> topics = view.current().byName();
            List<TopicPartitionRef> refs = new ArrayList<>();
            boolean unknown = false;
            for (Partition p : partitions) {
                TopicRecord t = topics.get(p.topic());
                boolean exists = t != null && p.partition() >= 0 && p.partition() < t.getPartitionsCount();
                out.put(p, exists ? ErrorCodes.NONE : ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
                unknown |= !exists;
                refs.add(TopicPartitionRef.newBuilder().setTopic(p.topic()).setPartition(p.partition()).build());
            }
            if (unknown) { // as Kafka: none is added, the known ones are answered OPERATION_NOT_ATTEMPTED
                out.replaceAll((p, code) -> code == ErrorCodes.NONE ? ErrorCodes.OPERATION_NOT_ATTEMPTED : code);
                return done(out);
            }
            Decision d = TxnTransitions.addPartitions(rec, refs, clockMs.getAsLong());
            if (d.error() != ErrorCodes.NONE || d.next() == null) {
                return done(all(partitions, d.error()));
            }
            return store(place, d.next()).thenApply(code -> all(partitions, code));
        }, all(partitions, ErrorCodes.COORDINATOR_NOT_AVAILABLE));
    }

    @Override
    public CompletableFuture<Short> addOffsets(String transactionalId, long producerId, short epoch, String groupId) {
        int n = placement.partitionCount();
        if (n == 0) {
            return done(ErrorCodes.COORDINATOR_NOT_AVAILABLE);
        }
        if (groupId == null || groupId.isEmpty()) {
            return done(GroupErrors.INVALID_GROUP_ID);
        }
        Partition offsets = new Partition(OffsetsTopic.NAME, OffsetsTopic.partitionFor(groupId, n));
        return addPartitions(transactionalId, producerId, epoch, List.of(offsets)).thenApply(m -> m.get(offsets));
    }

    @Override
    public CompletableFuture<Short> endTxn(String transactionalId, long producerId, short epoch, boolean commit) {
        return serialized(transactionalId, () -> {
            Place place = placement.locate(transactionalId);
            if (!place.ok()) {
                return done(place.errorCode());
            }
            TxnRecord rec = place.sm().offsets().transaction(transactionalId).orElse(null);
            short check = TxnTransitions.checkProducer(rec, producerId, epoch);
            if (check != ErrorCodes.NONE) {
                return done(check);
            }
            Decision d = TxnTransitions.end(rec, commit, clockMs.getAsLong());
            if (d.error() != ErrorCodes.NONE || d.next() == null) {
                return done(d.error());
            }
            return d.next() == rec ? complete(place, rec) : prepareAndComplete(place, d.next());
        }, ErrorCodes.COORDINATOR_NOT_AVAILABLE);
    }

    // ------------------------------------------------------------------------------------------- ending

    /** Writes a Prepare record, then completes it. */
    private CompletableFuture<Short> prepareAndComplete(Place place, TxnRecord prepare) {
        return store(place, prepare).thenCompose(code -> code != ErrorCodes.NONE ? done(code) : complete(place, prepare));
    }

    /**
     * Writes the markers of a Prepare record to every partition of its transaction, then the Complete record.
     * COORDINATOR_NOT_AVAILABLE when a marker could not be written yet: the record stays Prepare, and the client's
     * retry or the timer completes it.
     */
    private CompletableFuture<Short> complete(Place place, TxnRecord prepare) {
        TxnMarker marker = TxnMarker.newBuilder().setProducerId(prepare.getProducerId())
                .setProducerEpoch(prepare.getProducerEpoch())
                .setCommit(prepare.getState() == TxnState.TXN_PREPARE_COMMIT)
                .setTransactionNumber(prepare.getTransactionNumber())
                .setCoordinatorEpoch((int) Math.min(Integer.MAX_VALUE, place.term())).build();
        List<CompletableFuture<Short>> writes = new ArrayList<>();
        for (TopicPartitionRef p : prepare.getPartitionsList()) {
            writes.add(markers.write(p.getTopic(), p.getPartition(), marker));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenComposeAsync(ignored -> {
            for (int i = 0; i < writes.size(); i++) {
                short code = writes.get(i).join();
                // A newer epoch there means a later transaction of this producer id has begun: nothing to end.
                if (code != ErrorCodes.NONE && code != ErrorCodes.INVALID_PRODUCER_EPOCH
                        && code != ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION) {
                    TopicPartitionRef p = prepare.getPartitions(i);
                    LOG.info("transaction of {} stays {}: the marker for {}-{} failed with error {}",
                            prepare.getTransactionalId(), prepare.getState(), p.getTopic(), p.getPartition(), code);
                    return done(ErrorCodes.COORDINATOR_NOT_AVAILABLE);
                }
            }
            return store(place, TxnTransitions.completed(prepare, clockMs.getAsLong()));
        }, executor);
    }

    /** Writes a record through Raft; NONE once it is committed and applied on this node. */
    private CompletableFuture<Short> store(Place place, TxnRecord rec) {
        return writer.write(place.gid(), OffsetsCommand.newBuilder().setStoreTxn(StoreTxn.newBuilder().setTxn(rec))
                .build());
    }

    // ------------------------------------------------------------------------------------------- timer

    /** Aborts transactions past their timeout and completes Prepare records, on the partitions this node leads. */
    private void sweep() {
        try {
            long now = clockMs.getAsLong();
            for (int p = 0; p < placement.partitionCount(); p++) {
                Place place = placement.locatePartition(p);
                if (!place.ok()) {
                    continue;
                }
                for (TxnRecord rec : place.sm().offsets().transactions().values()) {
                    // An id with a call in progress or waiting is left to it: while a partition cannot take its
                    // marker, each attempt lasts up to the marker timeout, and the timer must not queue one more
                    // attempt per id at every round (at most one of its own per id).
                    if ((TxnTransitions.preparing(rec.getState()) || TxnTransitions.timedOut(rec, now))
                            && !tails.containsKey(rec.getTransactionalId())) {
                        resume(rec.getTransactionalId());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("transaction coordinator sweep failed", e);
        }
    }

    /** Completes a Prepare record, or aborts a timed-out transaction, reading the record again in turn. */
    private void resume(String transactionalId) {
        serialized(transactionalId, () -> {
            Place place = placement.locate(transactionalId);
            TxnRecord rec = place.ok() ? place.sm().offsets().transaction(transactionalId).orElse(null) : null;
            long now = clockMs.getAsLong();
            if (rec == null) {
                return done(ErrorCodes.NONE);
            }
            if (TxnTransitions.preparing(rec.getState())) {
                return complete(place, rec);
            }
            if (TxnTransitions.timedOut(rec, now)) {
                LOG.info("aborting the transaction of {} (producer {} epoch {}): open for more than its timeout of {} ms",
                        transactionalId, rec.getProducerId(), rec.getProducerEpoch(), rec.getTimeoutMs());
                return prepareAndComplete(place, TxnTransitions.abortBumped(rec, now));
            }
            return done(ErrorCodes.NONE);
        }, ErrorCodes.COORDINATOR_NOT_AVAILABLE);
    }

    // ------------------------------------------------------------------------------------------- plumbing

    /**
     * Runs {@code call} on the coordinator thread once the previous call of {@code transactionalId} has completed;
     * {@code onFailure} answers a call that could not run (the node is closing) or failed unexpectedly.
     */
    private <T> CompletableFuture<T> serialized(String transactionalId, Supplier<CompletableFuture<T>> call,
                                                T onFailure) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return done(onFailure);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        tails.compute(transactionalId, (id, previous) -> {
            CompletableFuture<?> before = previous == null ? done(null) : previous;
            before.handle((v, t) -> null).thenRunAsync(() -> {
                try {
                    call.get().whenComplete((v, t) -> {
                        if (t != null) {
                            LOG.error("transaction coordinator call for {} failed", id, t);
                        }
                        result.complete(t != null ? onFailure : v);
                    });
                } catch (RuntimeException e) {
                    LOG.error("transaction coordinator call for {} failed", id, e);
                    result.complete(onFailure);
                }
            }, executor).exceptionally(t -> { // the executor refused: the node is closing
                result.complete(onFailure);
                return null;
            });
            return result;
        });
        result.whenComplete((v, t) -> tails.remove(transactionalId, result));
        return result;
    }

    private static Map<Partition, Short> all(List<Partition> partitions, short code) {
        Map<Partition, Short> out = new LinkedHashMap<>();
        partitions.forEach(p -> out.put(p, code));
        return out;
    }

    private static ProducerIdOutcome pidError(short code) {
        return new ProducerIdOutcome(code, -1, (short) -1);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        markers.close();
    }
}
