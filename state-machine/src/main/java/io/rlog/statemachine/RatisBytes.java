package io.rlog.statemachine;

import com.google.protobuf.CodedInputStream;

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
        RatisCapture out = new RatisCapture();
        Capture array = out.capture;
        try {
            org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWriteTo(bytes, out);
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

    public static org.apache.ratis.thirdparty.com.google.protobuf.ByteString fromProto(com.google.protobuf.ByteString bytes) {
        ProtoCapture out = new ProtoCapture();
        Capture array = out.capture;
        try {
            com.google.protobuf.UnsafeByteOperations.unsafeWriteTo(bytes, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return array.whole(bytes.size())
                ? org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(array.array, array.offset, array.length)
                : org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes.asReadOnlyByteBuffer());
    }

    /** Takes the backing array of a ByteString that is one array slice; any other shape is reported as not whole. */
    private static final class Capture {
        byte[] array;
        int offset;
        int length;
        private int calls;

        boolean whole(int size) {
            return calls == 1 && array != null && length == size;
        }

        void copied() {
            calls++;
            array = null;
        }

        void lazy(byte[] value, int offset, int length) {
            calls++;
            this.array = value;
            this.offset = offset;
            this.length = length;
        }

        void lazy(ByteBuffer value) {
            if (value.hasArray()) {
                lazy(value.array(), value.arrayOffset() + value.position(), value.remaining());
            } else {
                copied();
            }
        }
    }

    /** The two protobufs' ByteOutput classes have the same methods; each adapter hands them to a Capture. */
    private static final class RatisCapture extends org.apache.ratis.thirdparty.com.google.protobuf.ByteOutput {
        final Capture capture = new Capture();

        @Override public void write(byte value) { capture.copied(); }
        @Override public void write(byte[] value, int offset, int length) { capture.copied(); }
        @Override public void writeLazy(byte[] value, int offset, int length) { capture.lazy(value, offset, length); }
        @Override public void write(ByteBuffer value) { capture.copied(); }
        @Override public void writeLazy(ByteBuffer value) { capture.lazy(value); }
    }

    private static final class ProtoCapture extends com.google.protobuf.ByteOutput {
        final Capture capture = new Capture();

        @Override public void write(byte value) { capture.copied(); }
        @Override public void write(byte[] value, int offset, int length) { capture.copied(); }
        @Override public void writeLazy(byte[] value, int offset, int length) { capture.lazy(value, offset, length); }
        @Override public void write(ByteBuffer value) { capture.copied(); }
        @Override public void writeLazy(ByteBuffer value) { capture.lazy(value); }
    }
}
