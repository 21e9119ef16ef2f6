package io.rlog.statemachine.metadata;

import io.rlog.proto.AddPartitions;
import io.rlog.proto.AllocateProducerIds;
import io.rlog.proto.CreateTopic;
import io.rlog.proto.MetadataCommand;
import io.rlog.proto.MetadataImage;
import io.rlog.proto.MetadataReply;
import io.rlog.proto.PartitionLeader;
import io.rlog.proto.PartitionRecord;
import io.rlog.proto.TopicRecord;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cluster's metadata as a pure, deterministic state: topics, replica placement, each partition's leader
 * and leader epoch (its Raft term), and the producer-id allocator. No I/O, no clock.
 *
 * <p>Thread: {@link #apply} on the apply thread only; {@link #image()} from any thread (an immutable value
 * published after each apply).
 */
public final class MetadataState {

    static final short UNKNOWN_TOPIC_OR_PARTITION = 3;
    static final short TOPIC_ALREADY_EXISTS = 36;
    static final short INVALID_REQUEST = 42;
    /** Producer ids are handed out in blocks; this caps one request so a bug cannot exhaust the space. */
    public static final int PRODUCER_ID_BLOCK_MAX = 1_000_000;

    private final Map<String, TopicRecord> topics = new LinkedHashMap<>();
    private long nextProducerId = 1;
    private volatile MetadataImage image = MetadataImage.getDefaultInstance();

    public MetadataReply apply(MetadataCommand cmd, long term, long index) {
        MetadataReply reply = switch (cmd.getCommandCase()) {
            case CREATE_TOPIC -> createTopic(cmd.getCreateTopic());
            case DELETE_TOPIC -> topics.remove(cmd.getDeleteTopic().getName()) == null
                    ? error(UNKNOWN_TOPIC_OR_PARTITION, "no topic " + cmd.getDeleteTopic().getName()) : ok();
            case PARTITION_LEADER -> partitionLeader(cmd.getPartitionLeader());
            case ALLOCATE_PRODUCER_IDS -> allocate(cmd.getAllocateProducerIds());
            case ADD_PARTITIONS -> addPartitions(cmd.getAddPartitions());
            case COMMIT_NOTICE -> ok();
            case COMMAND_NOT_SET -> error(INVALID_REQUEST, "empty metadata command");
        };
        publish(term, index);
        return reply;
    }

    /** Records the applied position without a command (configuration entries). */
    public void applied(long term, long index) {
        publish(term, index);
    }

    private MetadataReply createTopic(CreateTopic c) {
        if (topics.containsKey(c.getName())) {
            return error(TOPIC_ALREADY_EXISTS, "topic " + c.getName() + " already exists");
        }
        if (c.getAssignmentsCount() == 0 || c.getTopicId().size() != 16) {
            return error(INVALID_REQUEST, "topic " + c.getName() + " needs an id and at least one partition");
        }
        TopicRecord.Builder t = TopicRecord.newBuilder().setName(c.getName()).setTopicId(c.getTopicId())
                .putAllConfigs(c.getConfigsMap()).setCreatedMs(c.getCreatedMs());
        c.getAssignmentsList().forEach(a -> t.addPartitions(PartitionRecord.newBuilder()
                .addAllReplicas(a.getNodeIdsList()).setLeader(-1).setLeaderTerm(0)));
        topics.put(c.getName(), t.build());
        return ok();
    }

    /** CreatePartitions: appends partitions (no leader yet) when the topic is still the one the proposer saw. */
    private MetadataReply addPartitions(AddPartitions a) {
        TopicRecord t = topics.get(a.getName());
        if (t == null || !t.getTopicId().equals(a.getTopicId())) {
            return error(UNKNOWN_TOPIC_OR_PARTITION, "no topic " + a.getName());
        }
        if (t.getPartitionsCount() != a.getFromCount() || a.getAssignmentsCount() == 0) {
            return error(INVALID_REQUEST, "topic " + a.getName() + " has " + t.getPartitionsCount()
                    + " partitions, not the " + a.getFromCount() + " this change was made for");
        }
        TopicRecord.Builder b = t.toBuilder();
        a.getAssignmentsList().forEach(r -> b.addPartitions(PartitionRecord.newBuilder()
                .addAllReplicas(r.getNodeIdsList()).setLeader(-1).setLeaderTerm(0)));
        topics.put(a.getName(), b.build());
        return ok();
    }

    private MetadataReply partitionLeader(PartitionLeader l) {
        for (Map.Entry<String, TopicRecord> e : topics.entrySet()) {
            TopicRecord t = e.getValue();
            if (!t.getTopicId().equals(l.getTopicId())) {
                continue;
            }
            if (l.getPartition() < 0 || l.getPartition() >= t.getPartitionsCount()) {
                return error(UNKNOWN_TOPIC_OR_PARTITION, "no partition " + l.getPartition());
            }
            PartitionRecord p = t.getPartitions(l.getPartition());
            // A report from an older term arrives late after a newer leader's: keep the newest.
            if (l.getTerm() > p.getLeaderTerm()) {
                e.setValue(t.toBuilder().setPartitions(l.getPartition(),
                        p.toBuilder().setLeader(l.getNodeId()).setLeaderTerm(l.getTerm())).build());
            }
            return ok();
        }
        return error(UNKNOWN_TOPIC_OR_PARTITION, "no topic with that id");
    }

    private MetadataReply allocate(AllocateProducerIds a) {
        if (a.getCount() <= 0 || a.getCount() > PRODUCER_ID_BLOCK_MAX) {
            return error(INVALID_REQUEST, "producer id block of " + a.getCount());
        }
        long first = nextProducerId;
        nextProducerId += a.getCount();
        return MetadataReply.newBuilder().setFirstProducerId(first).build();
    }

    private void publish(long term, long index) {
        image = MetadataImage.newBuilder().addAllTopics(topics.values()).setNextProducerId(nextProducerId)
                .setAppliedTerm(term).setAppliedIndex(index).build();
    }

    public MetadataImage image() {
        return image;
    }

    public void restore(MetadataImage img) {
        topics.clear();
        img.getTopicsList().forEach(t -> topics.put(t.getName(), t));
        nextProducerId = Math.max(1, img.getNextProducerId());
        image = img;
    }

    private static MetadataReply ok() {
        return MetadataReply.getDefaultInstance();
    }

    private static MetadataReply error(short code, String message) {
        return MetadataReply.newBuilder().setErrorCode(code).setErrorMessage(message).build();
    }
}
