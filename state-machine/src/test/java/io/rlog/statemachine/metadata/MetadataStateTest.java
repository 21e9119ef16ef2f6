package io.rlog.statemachine.metadata;

import com.google.protobuf.ByteString;
import io.rlog.proto.AllocateProducerIds;
import io.rlog.proto.CommitNotice;
import io.rlog.proto.CreateTopic;
import io.rlog.proto.MetadataCommand;
import io.rlog.proto.MetadataImage;
import io.rlog.proto.MetadataReply;
import io.rlog.proto.ReplicaList;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetadataStateTest {

    @Test
    void aCommitNoticeChangesNothingButTheAppliedPosition() {
        MetadataState state = new MetadataState();
        state.apply(MetadataCommand.newBuilder().setCreateTopic(CreateTopic.newBuilder().setName("t")
                .setTopicId(ByteString.copyFrom(new byte[16]))
                .addAssignments(ReplicaList.newBuilder().addNodeIds(1).addNodeIds(2).addNodeIds(3))).build(), 1, 5);
        state.apply(MetadataCommand.newBuilder().setAllocateProducerIds(
                AllocateProducerIds.newBuilder().setNodeId(1).setCount(10)).build(), 1, 6);
        MetadataImage before = state.image();

        MetadataReply reply = state.apply(MetadataCommand.newBuilder()
                .setCommitNotice(CommitNotice.getDefaultInstance()).build(), 2, 7);

        assertEquals(0, reply.getErrorCode(), reply.getErrorMessage());
        MetadataImage after = state.image();
        assertEquals(7, after.getAppliedIndex());
        assertEquals(2, after.getAppliedTerm());
        assertEquals(before.toBuilder().setAppliedTerm(2).setAppliedIndex(7).build(), after);
        assertEquals(11, after.getNextProducerId());
        assertEquals(1, after.getTopicsCount());
    }
}
