package io.rlog.kafka.api;

import io.rlog.broker.ErrorCodes;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** ApiVersions: what the client may send. The list is read from the handler table, so it never lies. */
public final class ApiVersionsHandler implements ApiHandler {
    /** The version the listener answers an unsupported ApiVersions request with (the one every client can read). */
    public static final short FALLBACK_VERSION = 0;

    // KIP-511: the client software name and version must look like this from v3 on.
    private static final Pattern SOFTWARE_NAME_OR_VERSION = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");

    private final HandlerTable table;

    public ApiVersionsHandler(HandlerTable table) {
        this.table = table;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        ApiVersionsRequestData data = (ApiVersionsRequestData) request;
        short error = ErrorCodes.NONE;
        if (context.apiVersion() >= 3 && !(matches(data.clientSoftwareName()) && matches(data.clientSoftwareVersion()))) {
            error = ErrorCodes.INVALID_REQUEST;
        }
        return CompletableFuture.completedFuture(response(error));
    }

    /**
     * The answer to an ApiVersions request of a version newer than {@link #maxVersion()}: written in
     * {@link #FALLBACK_VERSION}, error UNSUPPORTED_VERSION plus the list, so the client retries with a version from
     * the list (as Kafka does).
     */
    public ApiVersionsResponseData unsupportedVersionResponse() {
        return response(ErrorCodes.UNSUPPORTED_VERSION);
    }

    private ApiVersionsResponseData response(short errorCode) {
        ApiVersionCollection keys = new ApiVersionCollection();
        for (ApiHandler handler : table.all()) {
            keys.add(new ApiVersion()
                    .setApiKey(handler.apiKey().id)
                    .setMinVersion(handler.minVersion())
                    .setMaxVersion(handler.maxVersion()));
        }
        // rlog has no feature flags: supported and finalized features stay empty, epoch -1, no ZooKeeper migration.
        return new ApiVersionsResponseData()
                .setErrorCode(errorCode)
                .setApiKeys(keys)
                .setThrottleTimeMs(0)
                .setFinalizedFeaturesEpoch(-1)
                .setZkMigrationReady(false);
    }

    private static boolean matches(String value) {
        return value != null && SOFTWARE_NAME_OR_VERSION.matcher(value).matches();
    }
}
