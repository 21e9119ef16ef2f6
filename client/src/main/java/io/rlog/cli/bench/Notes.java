package io.rlog.cli.bench;

import java.util.ArrayList;
import java.util.List;

/** The caveats printed beside the figures, so nobody reads a figure without what it means. */
final class Notes {
    private Notes() {}

    static List<String> of(BenchSettings s) {
        List<String> n = new ArrayList<>();
        if (s.compareKafka()) {
            n.add("Kafka does not fsync per write by default (log.flush.interval.messages is unset): an acknowledged "
                    + "Kafka record is in the page cache of its in-sync replicas and reaches the disk later. That is "
                    + "rlog's raft.log.fsync=background, not fsync=always; compare Kafka's figures with that in mind.");
            n.add("Kafka topics get min.insync.replicas = a majority of their replication factor, the quorum an rlog "
                    + "partition waits for; brokers run in KRaft combined mode (broker and controller in one JVM).");
            n.add("Both systems' clusters run side by side on this machine; a system's nodes are idle during the "
                    + "other's cases. Each workload runs on Kafka right after its first rlog case.");
            n.add("Both systems' JVMs compile with HotSpot's C2. Each cluster is warmed "
                    + "before the cases until its JIT compilers (and this JVM's) use under "
                    + BenchRunner.JIT_QUIET_CORES + " cores, for at most " + BenchRunner.WARMUP_ROUNDS_MAX
                    + " rounds; the JIT s column shows what compiling was left in each case. Measured while still "
                    + "compiling, Kafka spent up to half of its CPU on it.");
        }
        n.add("rlog answers acks=1 (and 0) once the entry is in the partition leader's Raft log, before the quorum "
                + "has it (the first such entry of a new leader waits until the leader has applied what came "
                + "before it); a record acknowledged so can be lost when that leader dies, as in Kafka.");
        n.add("Idempotence is on exactly for acks=all (the Kafka client allows it only there).");
        n.add("Closed loop: one producer sends whenever fewer than " + s.closedLoopWindowBytes() + " bytes of "
                + "records are unacknowledged; latency runs from the send() call to the acknowledgement. Open loop: record i is due at start + i/rate and latency runs from that intended "
                + "time, so a stall counts against every record it delays (no coordinated omission).");
        n.add("End-to-end latency: a consumer in the bench's JVM, assigned every partition, from the send time "
                + "written in each record's value to the record's arrival.");
        n.add("The first seconds of each case (the warm-up) are left out of the summary figures but shown over time.");
        n.add("acks=0 gets no acknowledgement: its 'acknowledged' means handed to the socket, so its loss figure "
                + "counts what never arrived.");
        lingerFloor(s.cases()).ifPresent(n::add);
        if (s.cases().stream().anyMatch(c -> c.fault() == Fault.KILL_ALL)) {
            n.add("kill-all is SIGKILL of every node process: what a node had written to the operating system "
                    + "survives in the page cache, so it shows what an un-fsynced tail loses in a process crash, "
                    + "not in a power loss or kernel crash, which would lose more with fsync=background.");
        }
        double load = firstLoad(ProcStats.loadAverage());
        int cores = Runtime.getRuntime().availableProcessors();
        if (load > cores * 0.5) {
            n.add(String.format(java.util.Locale.ROOT, "The machine was busy when the bench started (load average "
                    + "%.2f on %d cores): other work competed for the CPU; see the foreign CPU column.", load, cores));
        }
        return n;
    }

    /**
     * The client's own share of an open-loop case's send latency: a record waits for the rest of its batch's
     * linger.ms unless the batch fills first. Records without keys go to one partition at a time (the client's
     * sticky partitioner), so a batch gets at most rate x linger.ms of them; where that is less than batch.size, the
     * wait is spread evenly from 0 to linger.ms and its 99th percentile is 0.99 x linger.ms, under every broker.
     */
    static java.util.Optional<String> lingerFloor(List<CaseSpec> cases) {
        return cases.stream()
                .filter(c -> c.openLoop() && c.lingerMs() > 0)
                .filter(c -> recordsPerLinger(c) * c.recordSize() < c.batchSize())
                .map(c -> String.format(java.util.Locale.ROOT, "%s: at %,d records/s a batch gets at most %.0f "
                                + "records in its linger.ms=%d, less than batch.size=%d bytes, so batches go when their "
                                + "linger runs out and each record waits in the client for the rest of its batch's %d ms: "
                                + "no broker can give a send p99 below about %.2f ms there.", c.label(), c.targetRate(),
                        recordsPerLinger(c), c.lingerMs(), c.batchSize(), c.lingerMs(), 0.99 * c.lingerMs()))
                .findFirst();
    }

    private static double recordsPerLinger(CaseSpec c) {
        return c.targetRate() * c.lingerMs() / 1000.0;
    }

    private static double firstLoad(String loadAverage) {
        try {
            return Double.parseDouble(loadAverage.split(" ")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
