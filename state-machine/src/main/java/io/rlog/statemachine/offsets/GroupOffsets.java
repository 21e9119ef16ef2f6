package io.rlog.statemachine.offsets;

import io.rlog.proto.CommittedOffset;
import io.rlog.proto.GroupRecord;

import java.util.Map;

/** One group's stored state: its record (null when none was stored) and its committed offsets. Immutable. */
public record GroupOffsets(GroupRecord record, Map<TopicPartition, CommittedOffset> offsets) {
    static final GroupOffsets EMPTY = new GroupOffsets(null, Map.of());
}
