package io.rlog.cli.bench;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One run of `rlog bench`: where, with what, and every result. */
record BenchReport(Machine machine, Map<String, String> versions, Map<String, String> settings,
                   List<CaseResult> cases, List<Comparison> comparisons, ManyPartitionsResult manyPartitions,
                   List<String> notes, Instant finishedAt, String loadAtEnd) {

    /** The rlog (or external) run of the headline case, if it ran. */
    Optional<CaseResult> headline() {
        return cases.stream().filter(c -> c.spec().headline() && !c.system().equals("kafka")).findFirst();
    }

    Optional<Comparison> comparisonOf(CaseResult rlog) {
        return comparisons.stream().filter(c -> c.rlog() == rlog).findFirst();
    }

    long failedCases() {
        return cases.stream().filter(c -> !c.ok()).count()
                + (manyPartitions != null && manyPartitions.error() != null ? 1 : 0);
    }

    /** Acknowledged records lost over every case of {@code system} whose read-back completed. */
    long lost(String system) {
        return cases.stream().filter(c -> c.system().equals(system) && c.lost() >= 0)
                .mapToLong(CaseResult::lost).sum();
    }

    /** Cases of {@code system} that acknowledged records but could not read them all back (loss unknown). */
    long unverified(String system) {
        return cases.stream().filter(c -> c.system().equals(system) && c.loss() != null && !c.readBackComplete())
                .count();
    }

    long duplicates(String system) {
        return cases.stream().filter(c -> c.system().equals(system) && c.loss() != null)
                .mapToLong(c -> c.loss().duplicates()).sum();
    }
}
