package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlog.broker.ErrorCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every advertised API at every served version: a valid request gets a response that parses at that version with
 * no error. Catches a field set that the version cannot carry, and header-version mistakes (flexible versions).
 */
class VersionMatrixTest extends ListenerFixture {

    @TestFactory
    List<DynamicTest> everyAdvertisedVersionAnswers() throws Exception {
        KafkaListener listener = start(testConfig());
        broker.createNow("matrix", 1, Map.of());
        WireClient client = connect(listener);
        ApiVersionsResponseData advertised = client.call(ApiKeys.API_VERSIONS, (short) 4, Requests.apiVersions());
        List<DynamicTest> tests = new ArrayList<>();
        for (ApiVersion api : advertised.apiKeys()) {
            ApiKeys key = ApiKeys.forId(api.apiKey());
            short lowest = key == ApiKeys.PRODUCE ? 3 : api.minVersion();
            for (short version = lowest; version <= api.maxVersion(); version++) {
                short v = version;
                tests.add(DynamicTest.dynamicTest(key + " v" + v,
                        () -> assertEquals(ErrorCodes.NONE, errorOf(key, client.call(key, v, request(key, v))))));
            }
        }
        assertEquals(9, advertised.apiKeys().size());
        return tests;
    }

    private ApiMessage request(ApiKeys key, short version) {
        switch (key) {
            case API_VERSIONS:
                return version >= 3 ? Requests.apiVersions() : new ApiVersionsRequestData();
            case METADATA:
                return Requests.metadata(false, "matrix");
            case CREATE_TOPICS:
                return Requests.createTopic("created-v" + version, 1, (short) 1);
            case DELETE_TOPICS:
                broker.createNow("deleted-v" + version, 1, Map.of());
                return Requests.deleteTopic("deleted-v" + version, version);
            case PRODUCE:
                return Requests.produce("matrix", 0, (short) 1, Requests.batch("v" + version));
            case INIT_PRODUCER_ID:
                return Requests.initProducerId();
            case FETCH:
                return Requests.fetch("matrix", 0, 0, 0, 0);
            case LIST_OFFSETS:
                return Requests.listOffsets("matrix", 0, -1);
            case DESCRIBE_CONFIGS:
                return Requests.describeTopicConfigs("matrix");
            default:
                throw new AssertionError("no request for " + key);
        }
    }

    private static short errorOf(ApiKeys key, ApiMessage response) {
        switch (key) {
            case API_VERSIONS:
                return ((ApiVersionsResponseData) response).errorCode();
            case METADATA:
                return ((MetadataResponseData) response).topics().find("matrix").errorCode();
            case CREATE_TOPICS:
                return ((CreateTopicsResponseData) response).topics().iterator().next().errorCode();
            case DELETE_TOPICS:
                return ((DeleteTopicsResponseData) response).responses().iterator().next().errorCode();
            case PRODUCE:
                return ((ProduceResponseData) response).responses().iterator().next()
                        .partitionResponses().get(0).errorCode();
            case INIT_PRODUCER_ID:
                return ((InitProducerIdResponseData) response).errorCode();
            case FETCH:
                return ((FetchResponseData) response).responses().get(0).partitions().get(0).errorCode();
            case LIST_OFFSETS:
                return ((ListOffsetsResponseData) response).topics().get(0).partitions().get(0).errorCode();
            case DESCRIBE_CONFIGS:
                return ((DescribeConfigsResponseData) response).results().get(0).errorCode();
            default:
                throw new AssertionError("no response for " + key);
        }
    }
}
