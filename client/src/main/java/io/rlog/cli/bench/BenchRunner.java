package io.rlog.cli.bench;

import io.rlog.cli.local.ChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the cases of one `rlog bench`: an rlog cluster per fsync policy (restarted after a case that failed),
 * and with --compare-kafka one Kafka cluster, running each workload on Kafka right after its first rlog case, so
 * the two systems alternate. Both clusters stay up between their cases; the idle one's CPU use is measured and
 * shows in the foreign/other figures. Every cluster is stopped at the end, whatever happened: also when the bench
 * is told to stop (SIGTERM, SIGINT, `timeout`), by a shutdown hook, so no node process outlives it.
 */
final class BenchRunner {
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(60);
    /** How long the shutdown hook waits for processes it SIGKILLed to be gone before it deletes their data. */
    private static final Duration KILLED_EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final BenchSettings s;
    private final Progress progress;
    private volatile Target rlog;
    private String rlogFsync;
    private int rlogClusters;
    private volatile KafkaCluster kafka;
    private boolean kafkaBroken;
    /** The settings recorded with the results; each cluster adds its own when it starts. */
    private Map<String, String> recorded = new LinkedHashMap<>();
    /** Set once the JVM is shutting down: no cluster may start after that, the hook would miss it. */
    private volatile boolean stopping;
    /** Whether the clusters were stopped and the work folder emptied (by the run's end or by the hook). */
    private boolean cleanedUp;

    BenchRunner(BenchSettings settings, Progress progress) {
        this.s = settings;
        this.progress = progress;
    }

    BenchReport run(Map<String, String> versions, Map<String, String> settingsRecord, List<String> notes)
            throws IOException, InterruptedException {
        Machine machine = Machine.detect();
        recorded = settingsRecord;
        List<CaseResult> results = new ArrayList<>();
        List<Comparison> comparisons = new ArrayList<>();
        ManyPartitionsResult many = null;
        Map<String, CaseResult> kafkaByWorkload = new HashMap<>();
        int runs = s.cases().size() + (s.compareKafka()
                ? (int) s.cases().stream().map(CaseSpec::workloadKey).distinct().count() : 0);
        progress.line(String.format(Locale.ROOT, "rlog bench: %d runs on %s; load average %s", runs,
                machine.describe(), machine.loadAtStart()));
        Thread hook = new Thread(this::stopOnShutdown, "rlog-bench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (s.compareKafka() && s.bootstrap() == null && !s.cases().isEmpty()) {
                // Both clusters up and warmed before the first measured case, not Kafka's only after rlog's first
                // case: this JVM's JIT compiler is busiest during its first half minute of load (its compiler
                // threads took 0.2 to 0.45 cores of this 2-core machine through the first measured case and half
                // as much in the second), and rlog's case of each pair runs first. A cluster that fails here is
                // started again, and reported, by the case that needs it.
                prepare(() -> rlogFor(s.cases().get(0).fsync()));
                prepare(this::kafka);
            }
            int index = 0;
            for (CaseSpec spec : s.cases()) {
                CaseResult r = runCase(() -> rlogFor(spec.fsync()), "rlog", spec, ++index, runs);
                results.add(r);
                if (!r.ok() && s.bootstrap() == null) {
                    closeRlog(); // start clean for the next case
                }
                if (s.compareKafka()) {
                    CaseResult k = kafkaByWorkload.get(spec.workloadKey());
                    if (k == null) {
                        k = runCase(this::kafka, "kafka", spec.withFsync("n/a"), ++index, runs);
                        kafkaBroken = !k.ok();
                        kafkaByWorkload.put(spec.workloadKey(), k);
                        results.add(k);
                    }
                    comparisons.add(new Comparison(r, k));
                }
            }
            if (s.manyPartitions()) {
                closeKafka(); // its idle CPU would blur the idle figures
                closeRlog();
                try {
                    Target target = manyPartitionsCluster();
                    many = ManyPartitions.run(context(target, ManyPartitions.TOPIC_READY_TIMEOUT, false), s, ++index);
                } catch (IOException | RuntimeException e) {
                    many = new ManyPartitionsResult(s.manyPartitionsCount(), ManyPartitions.RF, s.idleIntervalS(),
                            Double.NaN, List.of(), null, "the cluster did not start: " + WorkloadRunner.describe(e),
                            ManyPartitions.nodeSettings(s.nodeSettings()));
                }
                progress.line("many partitions: " + (many.error() == null ? "done" : "failed: " + many.error()));
            }
        } finally {
            cleanUp(false);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run; it does the same clean-up
            }
        }
        return new BenchReport(machine, versions, settingsRecord, results, comparisons, many, notes, Instant.now(),
                ProcStats.loadAverage());
    }

    /**
     * Stops the clusters and empties the work folder, once, whichever of the run's end and the shutdown hook
     * comes first. With {@code killLeftovers} (the JVM is exiting while cases may still run) it then SIGKILLs
     * whatever child process is left: the nodes of a cluster that was still starting, a node a fault restarted,
     * jcmd; nothing may keep running, holding ports or writing into the deleted folder.
     */
    private synchronized void cleanUp(boolean killLeftovers) {
        if (cleanedUp) {
            return;
        }
        closeKafka();
        closeRlog();
        if (killLeftovers) {
            try {
                for (ProcessHandle p : ChildProcesses.killAll(KILLED_EXIT_TIMEOUT)) {
                    progress.line("process " + p.pid() + " did not exit after SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        keepLogs();
        cleanedUp = true;
    }

    private void stopOnShutdown() {
        stopping = true;
        progress.line("stopping: the clusters are shut down and their data deleted");
        cleanUp(true);
    }

    /** Refuses to start a cluster once the JVM is shutting down; its processes would outlive the bench. */
    private void checkNotStopping() throws IOException {
        if (stopping) {
            throw new IOException("the bench is stopping");
        }
    }

    private interface TargetSource {
        Target get() throws IOException, InterruptedException;
    }

    private void prepare(TargetSource source) throws InterruptedException {
        try {
            source.get();
        } catch (IOException | RuntimeException e) {
            progress.line("could not prepare a cluster before the cases (its first case tries again): "
                    + WorkloadRunner.describe(e));
        }
    }

    /** A cluster that does not start fails this case only; the next case tries a fresh one. */
    private CaseResult runCase(TargetSource source, String system, CaseSpec spec, int index, int runs)
            throws InterruptedException {
        Target target;
        try {
            target = source.get();
        } catch (IOException | RuntimeException e) {
            CaseResult r = CaseResult.failed(index, s.bootstrap() == null ? system : "external", spec, "",
                    Instant.now(), "the cluster did not start: " + WorkloadRunner.describe(e));
            progress.line(summary(r));
            return r;
        }
        progress.caseStarted(index, runs, target.system(), spec);
        NodeProfiles profiles = s.profile()
                ? new NodeProfiles(s.out().resolve(NodeProfiles.DIR), "case-" + index + "-" + target.system(), progress::line)
                : null;
        CaseResult r = WorkloadRunner.run(context(target, TOPIC_READY_TIMEOUT, true), spec, index, topic -> {
            if (profiles != null) {
                profiles.start(target);
            }
        });
        if (profiles != null) {
            profiles.stop();
        }
        progress.line(summary(r));
        return r;
    }

    static String summary(CaseResult r) {
        if (!r.ok()) {
            return String.format(Locale.ROOT, "[%d] %s %s  FAILED: %s", r.index(), r.system(), r.spec().label(), r.error());
        }
        return String.format(Locale.ROOT, "[%d] %-5s %s  %,.0f rec/s  %.1f MB/s  send p50 %.2f p99 %.2f ms  "
                        + "e2e p99 %.2f ms  lost %s dup %d  longest ack gap %.0f ms", r.index(), r.system(),
                r.spec().label(), r.recordsPerS(), r.mbPerS(), r.send().p50Ms(), r.send().p99Ms(), r.e2e().p99Ms(),
                r.lost() >= 0 ? Long.toString(r.lost()) : "unknown (read-back incomplete)", r.duplicates(),
                r.ackGap().longestMs()) + faultGaps(r.ackGap());
    }

    /** " (across the fault N ms, across the heal M ms)" when the case had a fault. */
    static String faultGaps(AckGaps.Gap g) {
        if (Double.isNaN(g.faultGapMs()) && Double.isNaN(g.healGapMs())) {
            return "";
        }
        return String.format(Locale.ROOT, " (across the fault %s ms, across the heal %s ms)",
                HtmlReport.fmt(g.faultGapMs(), 0), HtmlReport.fmt(g.healGapMs(), 0));
    }

    private WorkloadRunner.Context context(Target target, Duration topicReady, boolean deleteTopic) {
        return new WorkloadRunner.Context(target, s.producerOverrides(), s.consumerOverrides(), this::processes,
                progress, topicReady, deleteTopic, s.closedLoopWindowBytes(),
                s.bootstrap() == null ? s.workDir() : null);
    }

    /** Every process whose CPU time a case records: the nodes of both systems, and this JVM. */
    private Map<String, Long> processes() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Target t : new Target[] {rlog, kafka}) {
            if (t == null) {
                continue;
            }
            try {
                t.pids().forEach((node, pid) -> out.put(t.system() + ".node" + node, pid));
            } catch (IOException e) {
                progress.line("cannot read the pids of " + t.system() + ": " + e.getMessage());
            }
        }
        out.put("bench", ProcessHandle.current().pid());
        return out;
    }

    private Target rlogFor(String fsync) throws IOException, InterruptedException {
        if (s.bootstrap() != null) {
            if (rlog == null) {
                rlog = new ExternalTarget(s.bootstrap());
            }
            return rlog;
        }
        if (rlog != null && fsync.equals(rlogFsync)) {
            return rlog;
        }
        closeRlog();
        checkNotStopping();
        rlogClusters++;
        Path dir = s.workDir().resolve("rlog-" + rlogClusters + "-fsync-" + fsync);
        progress.line("starting a " + s.nodes() + "-node rlog cluster (raft.log.fsync=" + fsync + ") in " + dir);
        rlog = RlogTarget.start(dir, s.nodes(), fsync, s.nodeSettings(), s.startTimeout(), progress::line);
        rlogFsync = fsync;
        record(rlog);
        warm(rlog, fsync);
        return rlog;
    }

    /** A fresh cluster with the many-partitions case's node settings (no warm-up: the case measures idle nodes). */
    private Target manyPartitionsCluster() throws IOException, InterruptedException {
        if (s.bootstrap() != null) {
            return rlogFor("always");
        }
        closeRlog();
        checkNotStopping();
        rlogClusters++;
        Path dir = s.workDir().resolve("rlog-" + rlogClusters + "-many-partitions");
        Map<String, String> settings = ManyPartitions.nodeSettings(s.nodeSettings());
        progress.line("starting a " + s.nodes() + "-node rlog cluster for many partitions " + settings + " in " + dir);
        rlog = RlogTarget.start(dir, s.nodes(), "always", settings, s.startTimeout(), progress::line);
        rlogFsync = null; // not for the matrix cases: their settings differ
        return rlog;
    }

    private KafkaCluster kafka() throws IOException, InterruptedException {
        if (kafka != null && !kafkaBroken) {
            return kafka;
        }
        closeKafka();
        checkNotStopping();
        Path dir = s.workDir().resolve("kafka-" + System.nanoTime());
        progress.line("starting " + s.nodes() + " Apache Kafka brokers (KRaft) in " + dir);
        kafka = KafkaCluster.start(dir, s.kafkaLibs(), s.nodes(), s.kafkaSettings(), s.startTimeout(), progress::line);
        kafkaBroken = false;
        record(kafka);
        warm(kafka, "n/a");
        return kafka;
    }

    /** A warm-up round ends the warm-up once the JIT compilers of the cluster and of this JVM used less than this. */
    static final double JIT_QUIET_CORES = 0.05;
    /** Warm-up rounds at most, whatever the compilers still do. */
    static final int WARMUP_ROUNDS_MAX = 6;

    /**
     * Unmeasured acks=all load on a freshly started cluster, the same for both systems, so that the cases measure
     * the cluster rather than a JIT compiling it (the cluster's, or this JVM's). A round is a closed loop, then an
     * open loop at the reference rate, each for the warm-up's length; rounds go on until the JIT compiler threads of
     * the cluster's nodes and of this JVM used less than {@link #JIT_QUIET_CORES} cores through one, at most
     * {@link #WARMUP_ROUNDS_MAX}. With one 10-second closed loop, Kafka's brokers (HotSpot's C2) still spent 41 % of
     * their CPU compiling in the first measured case and 55 % in the second; rlog's nodes (C2 too since 30 November)
     * were still compiling at 0.12 to 0.17 cores after six rounds. A failure here is reported and the cases still
     * run.
     */
    private void warm(Target target, String fsync) throws InterruptedException {
        if (s.clusterWarmupS() <= 0) {
            return;
        }
        for (int round = 1; round <= WARMUP_ROUNDS_MAX; round++) {
            progress.line("warming " + target.system() + " up, round " + round + ": 2 x " + s.clusterWarmupS()
                    + " s (not measured)");
            CpuUse.Start cpu = CpuUse.start(processes());
            for (int rate : new int[] {0, Matrix.REFERENCE_OPEN_RATE}) {
                CaseSpec spec = new CaseSpec("all", fsync, Math.min(3, s.nodes()), Matrix.REFERENCE_RECORD_SIZE,
                        Matrix.REFERENCE_LINGER_MS, Matrix.REFERENCE_BATCH_SIZE, "none", 6, rate, s.clusterWarmupS(),
                        0, 0, Fault.NONE, 0, 0, false);
                progress.phase(String.format(Locale.ROOT, "warm-up %-5s round %d, %s", target.system(), round,
                        rate == 0 ? "closed loop" : "open@" + rate + "/s"), s.clusterWarmupS());
                CaseResult r = WorkloadRunner.run(context(target, TOPIC_READY_TIMEOUT, true), spec, 0, topic -> { });
                if (!r.ok()) {
                    progress.line("warm-up of " + target.system() + " failed (the cases still run): " + r.error());
                    return;
                }
            }
            CpuUse used = cpu.end();
            double jitCores = (used.jitOf(target.system() + ".") + used.jitOf("bench")) / used.wallS();
            progress.line(String.format(Locale.ROOT, "warm-up round %d of %s: JIT compilers used %.2f cores",
                    round, target.system(), jitCores));
            if (jitCores < JIT_QUIET_CORES) {
                return;
            }
        }
    }

    private void record(Target t) {
        t.settings().forEach((k, v) -> {
            if (!k.equals("node.raft.log.fsync")) {
                recorded.putIfAbsent(t.system() + "." + k, v);
            }
        });
    }

    private void closeRlog() {
        if (rlog != null) {
            try {
                rlog.close();
            } catch (RuntimeException e) {
                progress.line("stopping rlog: " + e.getMessage());
            }
            rlog = null;
            rlogFsync = null;
        }
    }

    private void closeKafka() {
        if (kafka != null) {
            try {
                kafka.close();
            } catch (RuntimeException e) {
                progress.line("stopping Kafka: " + e.getMessage());
            }
            kafka = null;
        }
    }

    /** Copies every node's server.log to OUT/logs (the evidence behind an error), then drops the data. */
    private void keepLogs() {
        Path logs = s.out().resolve("logs");
        try (Stream<Path> files = Files.walk(s.workDir())) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("server.log")).toList()) {
                Files.createDirectories(logs);
                Path rel = s.workDir().relativize(f);
                Files.copy(f, logs.resolve(rel.toString().replace('/', '_')), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            progress.line("could not keep the node logs: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(s.workDir())) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            progress.line("could not delete " + s.workDir() + ": " + e.getMessage());
        }
    }
}
