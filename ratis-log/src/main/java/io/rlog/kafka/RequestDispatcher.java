package io.rlog.kafka;

import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.ApiVersionsHandler;
import io.rlog.kafka.api.HandlerTable;
import io.rlog.kafka.api.RequestContext;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one request frame into a handler call and its eventual response into bytes in the connection's next
 * response slot. Runs on the connection's network thread; handler futures may complete on any thread.
 *
 * <p>What cannot be parsed closes the connection with one WARN line: Kafka does the same, and a client that sent
 * bytes we cannot read will not understand any answer we could give either.
 */
final class RequestDispatcher {
    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final HandlerTable table;
    private final ApiVersionsHandler apiVersions;
    private final ServingGate gate;

    RequestDispatcher(HandlerTable table, ApiVersionsHandler apiVersions, ServingGate gate) {
        this.table = table;
        this.apiVersions = apiVersions;
        this.gate = gate;
    }

    void dispatch(Connection connection, ByteBuffer frame) {
        ParsedRequest parsed;
        try {
            parsed = parse(frame);
        } catch (RuntimeException e) {
            // Generated parsers signal bad input with assorted runtime exceptions; the message is enough.
            connection.closeMalformed("cannot parse request: " + e);
            return;
        }
        if (parsed.reject != null) {
            connection.closeMalformed(parsed.reject);
            return;
        }
        ConnectionSlot slot = connection.newSlot();
        if (parsed.immediate != null) {
            connection.complete(slot, ResponseEncoder.encode(parsed.immediate, parsed.apiKey,
                    ApiVersionsHandler.FALLBACK_VERSION, parsed.header.correlationId()));
            return;
        }
        if (parsed.apiKey == ApiKeys.API_VERSIONS) {
            handle(connection, slot, parsed); // needs no metadata: a client may learn the versions while it waits
        } else {
            gate.submit(() -> handle(connection, slot, parsed));
        }
    }

    private void handle(Connection connection, ConnectionSlot slot, ParsedRequest parsed) {
        RequestContext context = new RequestContext(parsed.header, connection.name(), connection::requestClose);
        CompletableFuture<ApiMessage> response;
        try {
            response = parsed.handler.handle(context, parsed.body);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((body, error) -> respond(connection, slot, parsed, body, error));
    }

    private void respond(Connection connection, ConnectionSlot slot, ParsedRequest parsed, ApiMessage body,
                         Throwable error) {
        short version = parsed.header.requestApiVersion();
        if (error == null) {
            try {
                connection.complete(slot, body == null ? null
                        : ResponseEncoder.encode(body, parsed.apiKey, version, parsed.header.correlationId()));
                return;
            } catch (RuntimeException e) {
                error = e;
            }
        }
        // A programmer error (the broker contract forbids exceptional futures for operating errors): the client
        // cannot be told in a typed way, so it is disconnected and retries, and the trace goes to the log once.
        log.error("{} v{} from {} failed; closing the connection", parsed.apiKey, version, connection.name(), error);
        connection.requestClose(parsed.apiKey + " failed: " + error);
    }

    private ParsedRequest parse(ByteBuffer frame) {
        ParsedRequest parsed = new ParsedRequest();
        if (frame.remaining() < 4) {
            parsed.reject = "frame of " + frame.remaining() + " bytes is too short for a request header";
            return parsed;
        }
        short apiKeyId = frame.getShort(frame.position());
        short version = frame.getShort(frame.position() + 2);
        if (!ApiKeys.hasId(apiKeyId)) {
            parsed.reject = "unknown API key " + apiKeyId;
            return parsed;
        }
        parsed.apiKey = ApiKeys.forId(apiKeyId);
        ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        parsed.header = new RequestHeaderData(accessor, parsed.apiKey.requestHeaderVersion(version));
        parsed.handler = table.find(apiKeyId);
        if (parsed.handler == null) {
            parsed.reject = "API " + parsed.apiKey + " is not served (not advertised in ApiVersions)";
            return parsed;
        }
        if (version > parsed.handler.maxVersion() && parsed.apiKey == ApiKeys.API_VERSIONS) {
            parsed.immediate = apiVersions.unsupportedVersionResponse();
            return parsed;
        }
        if (version < parsed.handler.minAcceptedVersion() || version > parsed.handler.maxVersion()) {
            parsed.reject = parsed.apiKey + " version " + version + " is not supported (served: "
                    + parsed.handler.minAcceptedVersion() + "-" + parsed.handler.maxVersion() + ")";
            return parsed;
        }
        parsed.body = parsed.apiKey.messageType.newRequest();
        parsed.body.read(accessor, version);
        return parsed;
    }

    /** One frame's parse result: a request to handle, a response to send at once, or a reason to disconnect. */
    private static final class ParsedRequest {
        ApiKeys apiKey;
        RequestHeaderData header;
        ApiHandler handler;
        ApiMessage body;
        ApiMessage immediate;
        String reject;
    }
}
