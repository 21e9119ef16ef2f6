package io.rlog.kafka;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** Writes one response frame: size prefix, response header of the version the API and version call for, body. */
final class ResponseEncoder {
    private ResponseEncoder() {}

    static ByteBuffer encode(ApiMessage body, ApiKeys apiKey, short apiVersion, int correlationId) {
        // ApiVersions always answers with header v0, even from flexible versions, so that a client can read the
        // answer before it knows which versions the server speaks; ApiKeys encodes that rule.
        short headerVersion = apiKey.responseHeaderVersion(apiVersion);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, apiVersion);
        ByteBuffer frame = ByteBuffer.allocate(4 + size);
        frame.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, apiVersion);
        if (frame.hasRemaining()) {
            throw new IllegalStateException(apiKey + " v" + apiVersion + " wrote " + frame.position()
                    + " bytes, sized " + frame.capacity());
        }
        frame.flip();
        return frame;
    }
}
