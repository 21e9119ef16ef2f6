package io.rlog.statemachine;

import io.rlog.proto.AppendBatches;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RatisBytesTest {

    private static final AppendBatches ENTRY = AppendBatches.newBuilder()
            .setBatches(com.google.protobuf.ByteString.copyFrom(new byte[] {11, 12, 13, 14, 15})).setAppendTimeMs(42).build();

    @Test
    void bytesFieldsParsedFromARatisByteStringShareItsArray() throws Exception {
        byte[] entry = padded(ENTRY.toByteArray());
        org.apache.ratis.thirdparty.com.google.protobuf.ByteString ratis =
                org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(entry, 3, entry.length - 6);

        AppendBatches parsed = AppendBatches.parseFrom(RatisBytes.input(ratis));
        assertEquals(ENTRY, parsed);

        // The parsed field is a view of the entry's bytes, not a copy.
        assertEquals(15, parsed.getBatches().byteAt(4));
        entry[indexOf(entry, (byte) 15)] = 9;
        assertEquals(9, parsed.getBatches().byteAt(4));
    }

    @Test
    void aByteStringOfSeveralPiecesIsCopiedOnceAndParses() throws Exception {
        byte[] batches = new byte[1000]; // large enough that concat builds a rope rather than one copied array
        Arrays.fill(batches, (byte) 7);
        AppendBatches big = ENTRY.toBuilder().setBatches(com.google.protobuf.ByteString.copyFrom(batches)).build();
        byte[] whole = big.toByteArray();
        org.apache.ratis.thirdparty.com.google.protobuf.ByteString rope =
                org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(whole, 0, 500)
                        .concat(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(whole, 500, whole.length - 500));
        assertEquals(2, rope.asReadOnlyByteBufferList().size());

        assertEquals(big, AppendBatches.parseFrom(RatisBytes.input(rope)));
    }

    @Test
    void aMessageForRatisIsItsSerializationAndParsesBackAsAView() throws Exception {
        org.apache.ratis.thirdparty.com.google.protobuf.ByteString ratis = RatisBytes.of(ENTRY);
        assertEquals(ENTRY.getSerializedSize(), ratis.size());
        assertEquals(Arrays.toString(ENTRY.toByteArray()), Arrays.toString(ratis.toByteArray()));
        assertEquals(1, ratis.asReadOnlyByteBufferList().size(), "one array, so input() shares it");
        assertEquals(ENTRY, AppendBatches.parseFrom(RatisBytes.input(ratis)));
    }

    private static byte[] padded(byte[] b) {
        byte[] out = new byte[b.length + 6];
        Arrays.fill(out, (byte) -1);
        System.arraycopy(b, 0, out, 3, b.length);
        return out;
    }

    private static int indexOf(byte[] a, byte v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new AssertionError("no " + v);
    }
}
