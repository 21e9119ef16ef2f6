package io.rlog.statemachine;

import java.nio.ByteBuffer;

/**
 * Moves bytes between Ratis's shaded protobuf and ours. Ratis shades protobuf, so the two ByteString classes
 * differ; these are the only copies made on the way in and out of the Raft log.
 */
public final class RatisBytes {
    private RatisBytes() {}

    public static ByteBuffer toBuffer(org.apache.ratis.thirdparty.com.google.protobuf.ByteString bytes) {
        return bytes.asReadOnlyByteBuffer();
    }

    public static org.apache.ratis.thirdparty.com.google.protobuf.ByteString fromProto(com.google.protobuf.ByteString bytes) {
        return org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes.asReadOnlyByteBuffer());
    }
}
