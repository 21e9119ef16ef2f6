package io.rlog.chaos.checker;

import io.rlog.chaos.history.History;
import io.rlog.chaos.history.HistoryFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checker on fixture histories (src/test/resources/fixtures, each with a comment saying what it shows):
 * for every anomaly, at least one history that has it and one that does not.
 */
class CheckerFixturesTest {

    @ParameterizedTest(name = "{0}: {1} {2}")
    @CsvSource({
            "clean,                          lost-write,                  ABSENT",
            "clean,                          replica-divergence,          ABSENT",
            "lost-write,                     lost-write,                  FAIL",
            "lost-write-ok-info,             lost-write,                  ABSENT",
            "lost-write-acks1,               lost-write,                  FAIL",
            "lost-write-acks1-leader-change, lost-write,                  INFO",
            "unseen,                         unseen,                      INFO",
            "unseen,                         incomplete-final-read,       INFO",
            "unseen-ok,                      unseen,                      ABSENT",
            "duplicate,                      duplicate,                   FAIL",
            "duplicate-non-idempotent,       duplicate,                   INFO",
            "clean,                          duplicate,                   ABSENT",
            "inconsistent-offsets,           inconsistent-offsets,        FAIL",
            "inconsistent-offsets-reads,     inconsistent-offsets,        FAIL",
            "clean,                          inconsistent-offsets,        ABSENT",
            "nonmonotonic-send,              nonmonotonic-send,           FAIL",
            "clean,                          nonmonotonic-send,           ABSENT",
            "poll-skip,                      poll-skip,                   FAIL",
            "poll-skip-after-seek,           poll-skip,                   FAIL",
            "poll-ok-reseek,                 poll-skip,                   ABSENT",
            "nonmonotonic-poll,              nonmonotonic-poll,           FAIL",
            "poll-ok-reseek,                 nonmonotonic-poll,           ABSENT",
            "int-poll-skip,                  int-poll-skip,               FAIL",
            "clean,                          int-poll-skip,               ABSENT",
            "int-nonmonotonic-poll,          int-nonmonotonic-poll,       FAIL",
            "clean,                          int-nonmonotonic-poll,       ABSENT",
            "read-then-vanished,             read-then-vanished,          FAIL",
            "unseen-ok,                      read-then-vanished,          ABSENT",
            "clean,                          read-then-vanished,          ABSENT",
            "committed-offset-regression,    committed-offset-regression, FAIL",
            "committed-offset-ok-info,       committed-offset-regression, ABSENT",
            "clean,                          committed-offset-regression, ABSENT",
            "commit-beyond-log-end,          commit-beyond-log-end,       FAIL",
            "clean,                          commit-beyond-log-end,       ABSENT",
            "replica-divergence,             replica-divergence,          FAIL",
            "replica-divergence-short,       replica-divergence,          FAIL",
            "txn-lost,                       txn-lost,                    FAIL",
            "txn-lost-write,                 lost-write,                  FAIL",
            "txn-clean,                      txn-lost,                    ABSENT",
            "txn-clean,                      lost-write,                  ABSENT",
            "aborted-read,                   aborted-read,                FAIL",
            "aborted-read-poll,              aborted-read,                FAIL",
            "txn-clean,                      aborted-read,                ABSENT",
            "txn-clean,                      poll-skip,                   ABSENT",
            "txn-clean,                      read-then-vanished,          ABSENT",
            "txn-partial-info,               txn-partial,                 FAIL",
            "txn-clean,                      txn-partial,                 ABSENT",
            "txn-duplicate,                  duplicate,                   FAIL",
            "txn-clean,                      duplicate,                   ABSENT",
            "phantom-value,                  phantom-value,               FAIL",
            "txn-clean,                      phantom-value,               ABSENT",
            "hanging-transaction,            hanging-transaction,         FAIL",
            "txn-clean,                      hanging-transaction,         ABSENT",
            "txn-read-committed-incomplete,  incomplete-final-read,       INFO",
            "txn-read-committed-incomplete,  txn-lost,                    ABSENT",
    })
    void fixture(String fixture, String kind, String expected) throws IOException {
        CheckResult result = Checker.check(load(fixture));
        AnomalyKind k = AnomalyKind.byId(kind);
        String all = String.join("\n", result.anomalies().stream().map(Anomaly::toString).toList());
        switch (expected) {
            case "FAIL" -> assertTrue(result.has(k, Severity.FAIL), fixture + " should FAIL " + kind + ":\n" + all);
            case "INFO" -> {
                assertTrue(result.has(k, Severity.INFO), fixture + " should report " + kind + " as INFO:\n" + all);
                assertFalse(result.has(k, Severity.FAIL), fixture + " must not FAIL " + kind + ":\n" + all);
            }
            default -> {
                assertFalse(result.has(k, Severity.FAIL), fixture + " must not FAIL " + kind + ":\n" + all);
                assertFalse(result.has(k, Severity.INFO), fixture + " must not report " + kind + ":\n" + all);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"clean", "lost-write-ok-info", "unseen-ok", "poll-ok-reseek", "committed-offset-ok-info",
            "lost-write-acks1-leader-change", "duplicate-non-idempotent", "txn-clean", "txn-read-committed-incomplete"})
    void validHistoriesHaveNoFailureAtAll(String fixture) throws IOException {
        CheckResult result = Checker.check(load(fixture));
        assertEquals(java.util.List.of(), result.failures(), fixture);
    }

    static History load(String fixture) throws IOException {
        try (InputStream in = CheckerFixturesTest.class.getResourceAsStream("/fixtures/" + fixture + ".jsonl")) {
            assertNotNull(in, "no fixture " + fixture);
            return HistoryFiles.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
