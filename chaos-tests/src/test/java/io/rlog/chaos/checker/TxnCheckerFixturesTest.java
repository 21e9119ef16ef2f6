package io.rlog.chaos.checker;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The transaction checks on the txn-* fixtures (and aborted-read, phantom-value, hanging-transaction), each
 * against the exact list of failures it must give: a fixture made to show one anomaly must not also trip another
 * check, and the values named must be the ones the fixture's comment names. A failure reads as
 * {@code kind:value}, or {@code kind:pN} when it is about partition N rather than a value.
 */
class TxnCheckerFixturesTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "txn-clean,                     ''",
            "txn-lost,                      txn-lost:21 txn-partial:21",
            "txn-lost-write,                lost-write:21 txn-lost:21 txn-partial:21",
            "aborted-read,                  aborted-read:22 aborted-read:22",
            "aborted-read-poll,             aborted-read:22 read-then-vanished:22",
            "txn-partial-info,              txn-partial:24",
            "txn-duplicate,                 duplicate:20",
            "phantom-value,                 phantom-value:99",
            "hanging-transaction,           hanging-transaction:p0",
            "txn-read-committed-incomplete, ''",
    })
    void exactFailures(String fixture, String expected) throws IOException {
        CheckResult result = Checker.check(CheckerFixturesTest.load(fixture));
        List<String> got = result.failures().stream()
                .map(a -> a.kind().id() + ":" + (a.value() >= 0 ? Long.toString(a.value()) : "p" + a.partition()))
                .sorted().toList();
        List<String> want = expected.isBlank() ? List.of() : Arrays.stream(expected.split(" ")).sorted().toList();
        assertEquals(want, got, fixture + ":\n" + String.join("\n",
                result.anomalies().stream().map(Anomaly::toString).toList()));
    }
}
