package io.rlog.kafka.fetch;

import io.rlog.broker.Broker;
import io.rlog.broker.Broker.ClusterView;
import io.rlog.broker.Broker.TopicView;
import io.rlog.kafka.ListenerConfig;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import io.rlog.kafka.fetch.FetchReader.Read;
import io.rlog.kafka.fetch.FetchReader.ReadSet;
import io.rlog.kafka.fetch.FetchReader.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Fetch v4-v12 (v13 on names topics by id only). Sessionless: every response carries session id 0, which tells
 * the client (KIP-227) to send its next request in full, so every request names all its partitions and each is
 * answered. A fetch short of {@code min_bytes} parks as a {@link LongPoll}.
 */
public final class FetchHandler implements ApiHandler {
    private static final int INVALID_SESSION_ID = 0;
    private static final int INITIAL_EPOCH = 0;
    private static final int FINAL_EPOCH = -1;
    /** Fetch's isolation level field: 1 is READ_COMMITTED (0, READ_UNCOMMITTED, is the default). */
    private static final byte READ_COMMITTED = 1;

    private final Broker broker;
    private final ListenerConfig config;
    private final ScheduledExecutorService timer;
    private final AppendWatches watches;

    /** {@code wakes}: runs the parked fetches an append woke (AppendWatches). */
    public FetchHandler(Broker broker, ListenerConfig config, ScheduledExecutorService timer, Executor wakes) {
        this.broker = broker;
        this.config = config;
        this.timer = timer;
        this.watches = new AppendWatches(broker, timer, wakes);
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public short minVersion() {
        return 4;
    }

    @Override
    public short maxVersion() {
        return 12;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        FetchRequestData data = (FetchRequestData) request;
        if (data.sessionId() != INVALID_SESSION_ID) {
            // rlog never hands out a session id, so a client naming one is confused: make it start over.
            return CompletableFuture.completedFuture(sessionError(Errors.FETCH_SESSION_ID_NOT_FOUND.code()));
        }
        if (data.sessionEpoch() != INITIAL_EPOCH && data.sessionEpoch() != FINAL_EPOCH) {
            return CompletableFuture.completedFuture(sessionError(Errors.INVALID_FETCH_SESSION_EPOCH.code()));
        }
        boolean readCommitted = data.isolationLevel() == READ_COMMITTED;
        FetchReader reader = new FetchReader(broker, targets(data, broker.cluster()), data.maxBytes(),
                data.replicaId() < 0, readCommitted);
        ReadSet first = reader.readAll();
        int maxWaitMs = Math.min(data.maxWaitMs(), config.fetchMaxWaitMsMax());
        if (first.anyError() || first.totalBytes() >= data.minBytes() || maxWaitMs <= 0 || reader.targets().isEmpty()) {
            return CompletableFuture.completedFuture(response(first, readCommitted));
        }
        LongPoll poll = new LongPoll(reader, data.minBytes(), watches, timer);
        poll.start(maxWaitMs);
        return poll.result().thenApply(reads -> response(reads, readCommitted));
    }

    private static List<Target> targets(FetchRequestData data, ClusterView view) {
        List<Target> targets = new ArrayList<>();
        for (FetchTopic topic : data.topics()) {
            TopicView known = view.topics().get(topic.topic());
            int partitions = known == null ? 0 : known.partitions().size();
            for (FetchPartition partition : topic.partitions()) {
                boolean exists = partition.partition() >= 0 && partition.partition() < partitions;
                targets.add(new Target(topic.topic(), partition.partition(), partition.fetchOffset(),
                        partition.partitionMaxBytes(), exists));
            }
        }
        return targets;
    }

    private static FetchResponseData response(ReadSet reads, boolean readCommitted) {
        // Topics in request order, each with its partitions in request order.
        Map<String, FetchableTopicResponse> topics = new LinkedHashMap<>();
        for (Read read : reads.reads()) {
            FetchableTopicResponse topic = topics.computeIfAbsent(read.target().topic(),
                    name -> new FetchableTopicResponse().setTopic(name).setPartitions(new ArrayList<>()));
            topic.partitions().add(new PartitionData()
                    .setPartitionIndex(read.target().partition())
                    .setErrorCode(read.errorCode())
                    .setHighWatermark(read.highWatermark())
                    .setLastStableOffset(read.lastStableOffset())
                    .setLogStartOffset(read.logStartOffset())
                    // Null at read_uncommitted, as Kafka answers: the client then filters nothing.
                    .setAbortedTransactions(readCommitted ? aborted(read) : null)
                    .setPreferredReadReplica(-1)
                    .setRecords(MemoryRecords.readableRecords(read.records())));
        }
        return new FetchResponseData()
                .setThrottleTimeMs(0)
                .setErrorCode(Errors.NONE.code())
                .setSessionId(INVALID_SESSION_ID)
                .setResponses(new ArrayList<>(topics.values()));
    }

    private static List<AbortedTransaction> aborted(Read read) {
        List<AbortedTransaction> out = new ArrayList<>(read.abortedTransactions().size());
        for (Broker.AbortedTransaction a : read.abortedTransactions()) {
            out.add(new AbortedTransaction().setProducerId(a.producerId()).setFirstOffset(a.firstOffset()));
        }
        return out;
    }

    private static FetchResponseData sessionError(short errorCode) {
        return new FetchResponseData()
                .setThrottleTimeMs(0)
                .setErrorCode(errorCode)
                .setSessionId(INVALID_SESSION_ID)
                .setResponses(new ArrayList<>());
    }
}
