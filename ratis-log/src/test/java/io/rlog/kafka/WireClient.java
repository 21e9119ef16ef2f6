package io.rlog.kafka;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** A blocking Kafka protocol client over a raw socket, to send exactly the bytes a test wants. */
final class WireClient implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 15_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;

    WireClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends a request; returns its correlation id. */
    int send(ApiKeys apiKey, short version, ApiMessage body) throws IOException {
        int correlationId = nextCorrelationId++;
        out.write(frame(apiKey, version, correlationId, body));
        out.flush();
        return correlationId;
    }

    static byte[] frame(ApiKeys apiKey, short version, int correlationId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(apiKey.id)
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId("wire-test");
        short headerVersion = apiKey.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(4 + size);
        buffer.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        return buffer.array();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A response: its correlation id and body, parsed for {@code apiKey} at {@code version}. */
    record Response<T>(int correlationId, T body) {}

    @SuppressWarnings("unchecked")
    <T extends ApiMessage> Response<T> receive(ApiKeys apiKey, short version) throws IOException {
        ByteBuffer frame = readFrame();
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        ResponseHeaderData header = new ResponseHeaderData(accessor, apiKey.responseHeaderVersion(version));
        ApiMessage body = apiKey.messageType.newResponse();
        body.read(accessor, version);
        if (frame.hasRemaining()) {
            throw new IllegalStateException(frame.remaining() + " bytes left after " + apiKey + " v" + version);
        }
        return new Response<>(header.correlationId(), (T) body);
    }

    <T extends ApiMessage> T call(ApiKeys apiKey, short version, ApiMessage request) throws IOException {
        int correlationId = send(apiKey, version, request);
        Response<T> response = receive(apiKey, version);
        if (response.correlationId() != correlationId) {
            throw new IllegalStateException("correlation id " + response.correlationId() + ", sent " + correlationId);
        }
        return response.body();
    }

    ByteBuffer readFrame() throws IOException {
        int size = in.readInt();
        byte[] bytes = new byte[size];
        in.readFully(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** True when the server closed the connection (within the read timeout), false when it sent something. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException | SocketException e) {
            return true; // reset by peer
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
