package io.rlog.kafka.group;

import io.rlog.kafka.api.RequestContext;

/** What the group handlers share. */
final class GroupHandlers {
    private GroupHandlers() {}

    /** Kafka reports a member's host as the connection's remote address without the port ("/127.0.0.1"). */
    static String clientHost(RequestContext context) {
        String name = context.connectionName();
        if (name == null) {
            return "";
        }
        int colon = name.lastIndexOf(':');
        return colon > 0 ? name.substring(0, colon) : name;
    }
}
