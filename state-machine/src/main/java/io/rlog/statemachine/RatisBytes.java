package io.rlog.statemachine;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.MessageLite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Moves bytes between Ratis's shaded protobuf and ours without copying them. Ratis shades protobuf, so the two
 * ByteString classes differ; both wrap the same array here. Record batches pass through a node's heap several
 * times per entry, so each copy saved is garbage the collector no longer moves (issue 5's profile: copies on
 * this path were two thirds of a node's allocation).
 */
public final class RatisBytes {
    private RatisBytes() {}

    public static ByteBuffer toBuffer(org.apache.ratis.thirdparty.com.google.protobuf.ByteString bytes) {
        return bytes.asReadOnlyByteBuffer();
    }

    /**
     * Our protobuf's input over the bytes of a Ratis ByteString. Bytes fields parsed from it share the array
     * instead of copying it; both ByteStrings promise that the array never changes.
     */
    public static CodedInputStream input(org.apache.ratis.thirdparty.com.google.protobuf.ByteString bytes) {
        ArrayCapture array = new ArrayCapture();
        try {
            org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWriteTo(bytes, array);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the capture throws nothing
        }
        CodedInputStream in = array.whole(bytes.size())
                ? com.google.protobuf.UnsafeByteOperations.unsafeWrap(array.array, array.offset, array.length).newCodedInput()
                // Not one array (a rope): copied once, then shared like the rest.
                : com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes.toByteArray()).newCodedInput();
        in.enableAliasing(true);
        return in;
    }

    /** A message serialized once, into an array Ratis's ByteString wraps. */
    public static org.apache.ratis.thirdparty.com.google.protobuf.ByteString of(MessageLite message) {
        return org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(message.toByteArray());
    }

    /** Takes the backing array of a ByteString that is one array slice; any other shape is reported as not whole. */
    private static final class ArrayCapture extends org.apache.ratis.thirdparty.com.google.protobuf.ByteOutput {
        byte[] array;
        int offset;
        int length;
        private int calls;

        boolean whole(int size) {
            return calls == 1 && array != null && length == size;
        }

        @Override
        public void write(byte value) {
            copied();
        }

        @Override
        public void write(byte[] value, int offset, int length) {
            copied();
        }

        @Override
        public void write(ByteBuffer value) {
            copied();
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) {
            calls++;
            this.array = value;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public void writeLazy(ByteBuffer value) {
            if (value.hasArray()) {
                writeLazy(value.array(), value.arrayOffset() + value.position(), value.remaining());
            } else {
                copied();
            }
        }

        private void copied() {
            calls++;
            array = null;
        }
    }
}
