package io.rlog.chaos.checker;

import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Record;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The log after healing, per partition, merged from every final read, with the replica-divergence check.
 *
 * <p>rlog serves reads only from partition leaders, so "every replica holds the same committed records" is
 * checked by comparing final reads of independent consumers; the runner moves leadership between them (it
 * kills the leader after the first read), so two reads are served by two different replicas.
 *
 * <p>Invariant: a partition is {@link #complete} only if some final read reached its end offset; the
 * durability checks (lost-write, read-then-vanished) only judge complete partitions.
 */
final class FinalLog {
    /** partition -> offset -> value, merged over all final reads (the first read wins on conflicts). */
    private final Map<Integer, NavigableMap<Long, Long>> logs = new HashMap<>();
    /** partition -> offsets in order, so a record's position ("index") can be found. */
    private final Map<Integer, List<Long>> offsetLists = new HashMap<>();
    private final Map<Integer, Long> endOffsets = new HashMap<>();
    private final Set<Integer> complete = new HashSet<>();
    private final List<Anomaly> anomalies = new ArrayList<>();

    FinalLog(List<Op.FinalRead> reads) {
        for (Op.FinalRead read : reads) {
            Map<Integer, NavigableMap<Long, Long>> mine = byPartition(read.records());
            for (Map.Entry<Integer, NavigableMap<Long, Long>> e : mine.entrySet()) {
                NavigableMap<Long, Long> merged = logs.computeIfAbsent(e.getKey(), k -> new TreeMap<>());
                e.getValue().forEach(merged::putIfAbsent);
            }
            if (read.complete()) {
                read.endOffsets().forEach((p, end) -> {
                    complete.add(p);
                    endOffsets.merge(p, end, Math::max);
                    logs.computeIfAbsent(p, k -> new TreeMap<>());
                });
            }
        }
        logs.forEach((p, log) -> offsetLists.put(p, new ArrayList<>(log.keySet())));
        compareReads(reads);
    }

    boolean complete(int partition) {
        return complete.contains(partition);
    }

    Set<Integer> partitions() {
        return Collections.unmodifiableSet(logs.keySet());
    }

    /** The value at (partition, offset), or null. */
    Long valueAt(int partition, long offset) {
        NavigableMap<Long, Long> log = logs.get(partition);
        return log == null ? null : log.get(offset);
    }

    /** The end offset a complete read reached (next offset to be written), or -1. */
    long endOffset(int partition) {
        return endOffsets.getOrDefault(partition, -1L);
    }

    /** The position of an offset in the partition's final log, or -1 when the offset is not in it. */
    int indexOf(int partition, long offset) {
        List<Long> offsets = offsetLists.get(partition);
        if (offsets == null) {
            return -1;
        }
        int i = Collections.binarySearch(offsets, offset);
        return i >= 0 ? i : -1;
    }

    /** The position of the first offset >= {@code offset} (a seek target), or the log's size. */
    int indexAtOrAfter(int partition, long offset) {
        List<Long> offsets = offsetLists.getOrDefault(partition, List.of());
        int i = Collections.binarySearch(offsets, offset);
        return i >= 0 ? i : -i - 1;
    }

    /** Values at positions [from, to) of a partition, for describing skips. */
    List<Long> valuesBetween(int partition, int from, int to) {
        List<Long> offsets = offsetLists.getOrDefault(partition, List.of());
        List<Long> out = new ArrayList<>();
        for (int i = Math.max(0, from); i < Math.min(to, offsets.size()); i++) {
            out.add(logs.get(partition).get(offsets.get(i)));
        }
        return out;
    }

    Map<Integer, NavigableMap<Long, Long>> logs() {
        return Collections.unmodifiableMap(logs);
    }

    List<Anomaly> anomalies() {
        return anomalies;
    }

    private void compareReads(List<Op.FinalRead> reads) {
        for (Integer p : logs.keySet()) {
            if (!complete(p)) {
                anomalies.add(new Anomaly(AnomalyKind.INCOMPLETE_FINAL_READ, Severity.INFO, p, -1, -1,
                        "no final read reached the end of the partition", ids(reads)));
            }
        }
        for (int a = 0; a < reads.size(); a++) {
            for (int b = a + 1; b < reads.size(); b++) {
                compare(reads.get(a), reads.get(b));
            }
        }
    }

    /** Two complete reads must hold the same records; incomplete ones must agree where both have records. */
    private void compare(Op.FinalRead a, Op.FinalRead b) {
        Map<Integer, NavigableMap<Long, Long>> la = byPartition(a.records());
        Map<Integer, NavigableMap<Long, Long>> lb = byPartition(b.records());
        Set<Integer> parts = new HashSet<>(la.keySet());
        parts.addAll(lb.keySet());
        parts.addAll(a.endOffsets().keySet());
        for (int p : parts) {
            NavigableMap<Long, Long> ra = la.getOrDefault(p, new TreeMap<>());
            NavigableMap<Long, Long> rb = lb.getOrDefault(p, new TreeMap<>());
            boolean bothComplete = a.complete() && b.complete();
            Set<Long> offsets = new HashSet<>(ra.keySet());
            offsets.addAll(rb.keySet());
            for (long o : new TreeSet<>(offsets)) {
                Long va = ra.get(o);
                Long vb = rb.get(o);
                boolean differ = va != null && vb != null && !va.equals(vb);
                boolean missing = bothComplete && (va == null || vb == null);
                if (differ || missing) {
                    anomalies.add(new Anomaly(AnomalyKind.REPLICA_DIVERGENCE, Severity.FAIL, p, o,
                            va != null ? va : vb, "final read " + a.reader() + " has " + va + ", final read "
                            + b.reader() + " has " + vb, List.of(a.meta().index(), b.meta().index())));
                    return; // the first difference says it; the rest would repeat it
                }
            }
            Long ea = a.endOffsets().get(p);
            Long eb = b.endOffsets().get(p);
            if (bothComplete && ea != null && eb != null && !ea.equals(eb)) {
                anomalies.add(new Anomaly(AnomalyKind.REPLICA_DIVERGENCE, Severity.FAIL, p, Math.min(ea, eb), -1,
                        "final reads end at " + ea + " and " + eb, List.of(a.meta().index(), b.meta().index())));
            }
        }
    }

    private static Map<Integer, NavigableMap<Long, Long>> byPartition(List<Record> records) {
        Map<Integer, NavigableMap<Long, Long>> out = new HashMap<>();
        for (Record r : records) {
            out.computeIfAbsent(r.partition(), k -> new TreeMap<>()).putIfAbsent(r.offset(), r.value());
        }
        return out;
    }

    private static List<Long> ids(List<Op.FinalRead> reads) {
        return reads.stream().map(r -> r.meta().index()).toList();
    }
}
