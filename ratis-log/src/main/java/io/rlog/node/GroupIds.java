package io.rlog.node;

import org.apache.ratis.protocol.RaftGroupId;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Raft group ids. A partition's group id is a name-based UUID of (topic UUID, partition), never of the topic's
 * name, so a topic deleted and created again never meets the old group's folder.
 */
public final class GroupIds {
    private GroupIds() {}

    public static final RaftGroupId METADATA =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("rlog-metadata".getBytes(StandardCharsets.UTF_8)));

    public static RaftGroupId partition(UUID topicId, int partition) {
        ByteBuffer b = ByteBuffer.allocate(21);
        b.put((byte) 'p').putLong(topicId.getMostSignificantBits()).putLong(topicId.getLeastSignificantBits())
                .putInt(partition);
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(b.array()));
    }

    public static UUID uuid(com.google.protobuf.ByteString bytes) {
        ByteBuffer b = bytes.asReadOnlyByteBuffer();
        return new UUID(b.getLong(), b.getLong());
    }

    public static com.google.protobuf.ByteString bytes(UUID id) {
        return com.google.protobuf.ByteString.copyFrom(ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).flip());
    }
}
