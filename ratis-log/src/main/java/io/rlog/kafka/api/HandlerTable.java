package io.rlog.kafka.api;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The handlers by API key. Filled once before the listener starts, read-only afterwards. */
public final class HandlerTable {
    private final Map<Short, ApiHandler> byKey = new TreeMap<>();

    public HandlerTable register(ApiHandler handler) {
        ApiHandler previous = byKey.putIfAbsent(handler.apiKey().id, handler);
        if (previous != null) {
            throw new IllegalStateException("two handlers for " + handler.apiKey());
        }
        if (handler.minVersion() > handler.minAcceptedVersion() || handler.minAcceptedVersion() > handler.maxVersion()) {
            throw new IllegalStateException("bad version range for " + handler.apiKey());
        }
        // The generated classes must be able to read every accepted version and write every advertised one.
        if (handler.minAcceptedVersion() < handler.apiKey().oldestVersion()
                || handler.maxVersion() > handler.apiKey().latestVersion(true)) {
            throw new IllegalStateException(handler.apiKey() + " versions outside kafka-clients' range");
        }
        return this;
    }

    /** The handler for {@code apiKey}, or null when that API is not served. */
    public ApiHandler find(short apiKey) {
        return byKey.get(apiKey);
    }

    public Collection<ApiHandler> all() {
        return Collections.unmodifiableCollection(byKey.values());
    }
}
