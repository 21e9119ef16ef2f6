package io.rlog.cli.bench;

import java.util.Set;

/**
 * One benchmark case: a workload (producer settings, topic shape, pacing, length) plus, for rlog, the cluster's
 * Raft log fsync policy, and an optional fault. Immutable and validated here, so the runner trusts it.
 *
 * @param acks        "all", "1" or "0"
 * @param fsync       rlog's raft.log.fsync ("always" or "background"); "n/a" for a system that has no such knob
 * @param rf          replication factor of the case's topic
 * @param recordSize  value bytes per record (at least {@link RecordValue#HEADER_BYTES})
 * @param targetRate  records/s for an open loop; 0 for a closed loop (as fast as the producer goes)
 * @param durationS   how long records are sent
 * @param recordsMax  stop sending after this many records; 0 for no limit
 * @param warmupS     leading seconds excluded from the summary figures (still in the time series)
 * @param faultAtS    seconds after the first send when the fault is injected
 * @param healAfterS  seconds after the fault when it is healed
 * @param headline    the acks=all closed-loop case whose rlog/Kafka ratio the summary line reports
 */
public record CaseSpec(String acks, String fsync, int rf, int recordSize, int lingerMs, int batchSize,
                       String compression, int partitions, int targetRate, int durationS, long recordsMax,
                       int warmupS, Fault fault, int faultAtS, int healAfterS, boolean headline) {
    public static final Set<String> ACKS = Set.of("all", "1", "0");
    public static final Set<String> FSYNC = Set.of("always", "background", "n/a");
    public static final Set<String> COMPRESSION = Set.of("none", "gzip", "snappy", "lz4", "zstd");
    /** Loss accounting indexes records by an int sequence. */
    public static final long RECORDS_MAX = Integer.MAX_VALUE;

    public CaseSpec {
        require(ACKS.contains(acks), "acks must be all, 1 or 0, got " + acks);
        require(FSYNC.contains(fsync), "fsync must be always or background, got " + fsync);
        require(rf >= 1 && rf <= 9, "replication factor must be in 1..9, got " + rf);
        require(recordSize >= RecordValue.HEADER_BYTES && recordSize <= 1 << 20,
                "record size must be in " + RecordValue.HEADER_BYTES + ".." + (1 << 20) + ", got " + recordSize);
        require(lingerMs >= 0, "linger.ms must be >= 0, got " + lingerMs);
        require(batchSize > 0, "batch.size must be > 0, got " + batchSize);
        require(COMPRESSION.contains(compression), "compression must be one of " + COMPRESSION + ", got " + compression);
        require(partitions >= 1 && partitions <= 10_000, "partitions must be in 1..10000, got " + partitions);
        require(targetRate >= 0, "target rate must be >= 0 (0: closed loop), got " + targetRate);
        require(durationS >= 1, "duration must be >= 1 s, got " + durationS);
        require(recordsMax >= 0 && recordsMax <= RECORDS_MAX, "records must be in 0.." + RECORDS_MAX);
        require(warmupS >= 0 && warmupS < durationS, "warm-up must be >= 0 and shorter than the duration");
        require(fault != null, "fault is required (NONE for none)");
        require(fault == Fault.NONE || (faultAtS >= 1 && faultAtS < durationS),
                "the fault time must be inside the run (1.." + (durationS - 1) + " s), got " + faultAtS);
        require(healAfterS >= 0, "heal delay must be >= 0");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public boolean openLoop() {
        return targetRate > 0;
    }

    /** Everything but the rlog-only fsync knob: the key under which a Kafka run is shared by fsync variants. */
    public String workloadKey() {
        return "acks=" + acks + " rf=" + rf + " size=" + recordSize + " linger=" + lingerMs + " batch=" + batchSize
                + " compression=" + compression + " partitions=" + partitions + " " + pacing()
                + " duration=" + durationS + " records=" + recordsMax + " fault=" + fault
                + (fault == Fault.NONE ? "" : "@" + faultAtS + "+" + healAfterS);
    }

    public String pacing() {
        return openLoop() ? "open@" + targetRate + "/s" : "closed";
    }

    /** A short human label, e.g. {@code acks=all fsync=always rf=3 1024B closed}. */
    public String label() {
        return "acks=" + acks + " fsync=" + fsync + " rf=" + rf + " " + recordSize + "B " + pacing()
                + (compression.equals("none") ? "" : " " + compression)
                + (fault == Fault.NONE ? "" : " " + fault + "@" + faultAtS + "s");
    }

    public CaseSpec withFsync(String value) {
        return new CaseSpec(acks, value, rf, recordSize, lingerMs, batchSize, compression, partitions, targetRate,
                durationS, recordsMax, warmupS, fault, faultAtS, healAfterS, headline);
    }

    public CaseSpec withHeadline(boolean value) {
        return new CaseSpec(acks, fsync, rf, recordSize, lingerMs, batchSize, compression, partitions, targetRate,
                durationS, recordsMax, warmupS, fault, faultAtS, healAfterS, value);
    }

    public CaseSpec withPartitions(int value) {
        return new CaseSpec(acks, fsync, rf, recordSize, lingerMs, batchSize, compression, value, targetRate,
                durationS, recordsMax, warmupS, fault, faultAtS, healAfterS, headline);
    }
}
