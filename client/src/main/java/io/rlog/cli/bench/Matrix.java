package io.rlog.cli.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Expands the command's option lists into the cases to run, in run order. Pure: no I/O, no clock.
 *
 * <p>Order: grouped by fsync policy (changing it restarts the rlog cluster, so each policy gets one cluster),
 * then as the options list their values; fault cases go last within a group, since they leave the cluster
 * with moved leaders and restarted nodes.
 */
public final class Matrix {
    /** The reference workload: 1 KiB records, linger.ms=5, batch.size=65536, 6 partitions, RF 3. */
    public static final int REFERENCE_RECORD_SIZE = 1024;
    public static final int REFERENCE_LINGER_MS = 5;
    public static final int REFERENCE_BATCH_SIZE = 65_536;
    public static final int REFERENCE_PARTITIONS = 6;
    public static final int REFERENCE_RF = 3;
    /** The fixed rate at which the issue compares p99 latency. */
    public static final int REFERENCE_OPEN_RATE = 5_000;
    public static final int QUICK_DURATION_S = 12;
    public static final int QUICK_WARMUP_S = 2;
    public static final int QUICK_FAULT_AT_S = 4;
    public static final int QUICK_HEAL_AFTER_S = 4;

    private Matrix() {}

    /** The option lists of `rlog bench`; every list non-empty. */
    public record Dimensions(List<String> acks, List<String> fsync, List<Integer> rf, List<Integer> recordSize,
                             List<Integer> lingerMs, List<Integer> batchSize, List<String> compression,
                             List<Integer> targetRate, int partitions, int durationS, long recordsMax, int warmupS,
                             Fault fault, int faultAtS, int healAfterS) {
        public Dimensions {
            for (List<?> l : List.of(acks, fsync, rf, recordSize, lingerMs, batchSize, compression, targetRate)) {
                if (l.isEmpty()) {
                    throw new IllegalArgumentException("every matrix option needs at least one value");
                }
            }
        }
    }

    public static List<CaseSpec> expand(Dimensions d) {
        List<CaseSpec> out = new ArrayList<>();
        for (String fsync : distinct(d.fsync())) {
            for (int rf : distinct(d.rf())) {
                for (String acks : distinct(d.acks())) {
                    for (int size : distinct(d.recordSize())) {
                        for (int linger : distinct(d.lingerMs())) {
                            for (int batch : distinct(d.batchSize())) {
                                for (String compression : distinct(d.compression())) {
                                    for (int rate : distinct(d.targetRate())) {
                                        out.add(new CaseSpec(acks, fsync, rf, size, linger, batch, compression,
                                                d.partitions(), rate, d.durationS(), d.recordsMax(), d.warmupS(),
                                                d.fault(), d.faultAtS(), d.healAfterS(), false));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return markHeadline(out);
    }

    /**
     * The `--quick` matrix, four cases on the reference workload: acks=all closed loop (the headline: the issue's
     * 1.25x throughput goal), acks=all at a fixed 5,000 records/s (its p99 goal), acks=1 closed loop, and acks=all
     * at 5,000 records/s with the leader SIGKILLed (its failover goal). All on rlog's default fsync=always, so one
     * rlog cluster serves them: a case with another fsync policy needs a cluster of its own, and warming a fresh
     * one until its C2 compilers are quiet takes about 3 minutes, which with Kafka's took --quick past 10.
     */
    public static List<CaseSpec> quick(int durationS, int warmupS) {
        List<CaseSpec> out = new ArrayList<>();
        out.add(reference("all", "always", 0, durationS, warmupS, Fault.NONE));
        out.add(reference("all", "always", REFERENCE_OPEN_RATE, durationS, warmupS, Fault.NONE));
        out.add(reference("1", "always", 0, durationS, warmupS, Fault.NONE));
        out.add(reference("all", "always", REFERENCE_OPEN_RATE, durationS, warmupS, Fault.KILL_LEADER));
        return markHeadline(out);
    }

    private static CaseSpec reference(String acks, String fsync, int rate, int durationS, int warmupS, Fault fault) {
        int faultAt = Math.min(QUICK_FAULT_AT_S, durationS - 1);
        return new CaseSpec(acks, fsync, REFERENCE_RF, REFERENCE_RECORD_SIZE, REFERENCE_LINGER_MS,
                REFERENCE_BATCH_SIZE, "none", REFERENCE_PARTITIONS, rate, durationS, 0, warmupS, fault,
                fault == Fault.NONE ? 0 : faultAt, QUICK_HEAL_AFTER_S, false);
    }

    /**
     * Sorts fault cases last within each fsync group (stable otherwise) and marks the headline: the first
     * acks=all closed-loop fault-free case, preferring the reference workload with fsync=always.
     */
    static List<CaseSpec> markHeadline(List<CaseSpec> cases) {
        List<String> fsyncOrder = cases.stream().map(CaseSpec::fsync).distinct().toList();
        List<CaseSpec> sorted = new ArrayList<>(cases);
        sorted.sort(Comparator.comparingInt((CaseSpec c) -> fsyncOrder.indexOf(c.fsync()))
                .thenComparing(c -> c.fault() != Fault.NONE));
        int best = -1;
        int bestScore = -1;
        for (int i = 0; i < sorted.size(); i++) {
            CaseSpec c = sorted.get(i);
            if (!c.acks().equals("all") || c.openLoop() || c.fault() != Fault.NONE) {
                continue;
            }
            int score = (c.fsync().equals("always") ? 4 : 0) + (c.recordSize() == REFERENCE_RECORD_SIZE ? 2 : 0)
                    + (c.rf() == REFERENCE_RF ? 1 : 0);
            if (score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        List<CaseSpec> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            out.add(sorted.get(i).withHeadline(i == best));
        }
        return out;
    }

    private static <T> List<T> distinct(List<T> values) {
        return values.stream().distinct().toList();
    }
}
