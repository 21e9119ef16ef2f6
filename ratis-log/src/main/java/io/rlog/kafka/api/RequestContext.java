package io.rlog.kafka.api;

import java.util.function.Consumer;
import org.apache.kafka.common.message.RequestHeaderData;

/**
 * What a handler knows about the request beyond its body.
 *
 * @param header the parsed request header (API key, version, correlation id, client id)
 * @param connectionName remote address, for log lines
 * @param closer closes the connection, from any thread, with a reason that is logged; used where Kafka answers an
 *     error by disconnecting (a failed acks=0 produce has no response to carry it)
 */
public record RequestContext(RequestHeaderData header, String connectionName, Consumer<String> closer) {

    public short apiVersion() {
        return header.requestApiVersion();
    }

    public String clientId() {
        return header.clientId();
    }

    public void closeConnection(String reason) {
        closer.accept(reason);
    }
}
