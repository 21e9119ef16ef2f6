package io.rlog.chaos;

import io.rlog.chaos.checker.CheckResult;
import io.rlog.chaos.checker.Checker;
import io.rlog.chaos.history.History;
import io.rlog.chaos.history.Meta;
import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;
import io.rlog.chaos.history.Recorder;
import io.rlog.chaos.history.RunInfo;
import io.rlog.chaos.nemesis.Nemesis;
import io.rlog.chaos.nemesis.Timeline;
import io.rlog.chaos.workload.ConsumerWorker;
import io.rlog.chaos.workload.FinalReader;
import io.rlog.chaos.workload.GroupWorker;
import io.rlog.chaos.workload.LeaderObserver;
import io.rlog.chaos.workload.ProducerMode;
import io.rlog.chaos.workload.ProducerWorker;
import io.rlog.chaos.workload.TransactionalWorker;
import io.rlog.chaos.workload.WorkloadContext;
import org.apache.kafka.clients.admin.Admin;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run, start to verdict: cluster (local, through proxies; or an external one), topic, client threads,
 * nemesis timeline, heal, final reads, check. Everything started is stopped in {@code finally} blocks; the
 * history file is complete up to the moment anything failed.
 */
public final class ChaosRun {
    /** Bound on healing, on each final read and on each wait for leaders (a loaded 2-core machine is slow). */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Bound on the failover wait and the second final read: one node of three is down then, and a healthy
     * group elects in about a second; if it cannot, the read is incomplete (INFO), not a hung suite.
     */
    static final Duration ROTATION_TIMEOUT = Duration.ofSeconds(30);
    static final Duration THREAD_JOIN_TIMEOUT = Duration.ofSeconds(30);
    /** The reader number of the read_committed final read (1 and 2 read at read_uncommitted). */
    static final int READ_COMMITTED_READER = 3;

    private ChaosRun() {}

    public static RunResult run(RunSpec spec) throws IOException, InterruptedException {
        long started = System.nanoTime();
        String topic = "chaos-" + spec.name();
        RunInfo info = new RunInfo(spec.name(), spec.seed(), spec.schedule().toString(), params(spec, topic));
        java.nio.file.Path file = spec.outDir().resolve(spec.name() + ".jsonl");
        String error = null;
        try (Recorder rec = new Recorder(file, info, System::nanoTime)) {
            LocalChaosCluster cluster = spec.local()
                    ? LocalChaosCluster.start(spec.outDir().resolve(spec.name() + "-cluster"), spec.nodes()) : null;
            try {
                String bootstrap = cluster != null ? cluster.bootstrapServers() : spec.bootstrap();
                error = drive(spec, rec, cluster, bootstrap, topic);
            } catch (Exception e) {
                error = e.toString();
            } finally {
                if (cluster != null) {
                    if (error != null) {
                        cluster.logTails(30).forEach(System.err::println);
                    }
                    cluster.close();
                }
            }
            History history = rec.snapshot(info);
            CheckResult check = Checker.check(history);
            return new RunResult(spec, file, check, (System.nanoTime() - started) / 1_000_000, error);
        }
    }

    /** Runs the clients and the nemesis; returns an error description, or null. */
    private static String drive(RunSpec spec, Recorder rec, LocalChaosCluster cluster, String bootstrap, String topic)
            throws Exception {
        int replicas = Math.min(3, spec.local() ? spec.nodes() : 3);
        try (Admin admin = Topics.admin(bootstrap)) {
            Topics.create(admin, topic, spec.workload().partitions(), replicas);
            WorkloadContext ctx = new WorkloadContext(rec, bootstrap, topic, spec.workload(), spec.seed());
            LeaderObserver observer = new LeaderObserver(ctx, admin);
            Topics.awaitLeaders(observer, rec, spec.workload().partitions(), SETTLE_TIMEOUT);
            if (cluster != null) {
                cluster.leadersFrom(observer::leaderOf);
            }
            List<Thread> threads = startClients(ctx, observer, spec);
            long workloadStart = System.nanoTime();
            try (Nemesis nemesis = cluster == null ? null : new Nemesis(cluster, rec, spec.seed())) {
                if (nemesis != null) {
                    new Timeline(spec.schedule(), nemesis, () -> (System.nanoTime() - workloadStart) / 1_000_000).run();
                }
                waitDeliberately(workloadStart, spec.workloadMs());
                ctx.stop();
                joinAll(threads);
                if (nemesis != null) {
                    nemesis.healAll(SETTLE_TIMEOUT.toMillis());
                    if (!cluster.awaitHealthy(SETTLE_TIMEOUT)) {
                        return "the cluster was not healthy " + SETTLE_TIMEOUT.toSeconds() + " s after healing";
                    }
                }
                if (spec.workload().groups()) {
                    Topics.readCommitted(admin, rec, "chaos-" + spec.name());
                }
                finalReads(spec, rec, cluster, nemesis, observer, bootstrap, topic);
            } finally {
                ctx.stop();
                joinAll(threads);
            }
        }
        return null;
    }

    private static List<Thread> startClients(WorkloadContext ctx, LeaderObserver observer, RunSpec spec) {
        List<Thread> threads = new ArrayList<>();
        int i = 0;
        for (ProducerMode mode : spec.workload().producers()) {
            String name = "producer-" + (i++) + "-" + mode.id();
            // One transactional id per thread, kept across its crashes; the topic names the run.
            threads.add(thread(name, mode.transactional()
                    ? new TransactionalWorker(ctx, ctx.topic() + "-" + name) : new ProducerWorker(ctx, mode)));
        }
        for (int c = 0; c < spec.workload().consumers(); c++) {
            threads.add(thread("consumer-" + c, new ConsumerWorker(ctx)));
        }
        if (spec.workload().producers().stream().anyMatch(ProducerMode::transactional)) {
            // One more, at read_committed: it must never see an aborted transaction's value, and must see the
            // committed records in the order of the read_committed final read.
            threads.add(thread("consumer-read-committed", new ConsumerWorker(ctx, true)));
        }
        if (spec.workload().groups()) {
            for (int g = 0; g < 2; g++) {
                threads.add(thread("group-consumer-" + g, new GroupWorker(ctx, "chaos-" + spec.name())));
            }
        }
        threads.add(thread("leader-observer", observer));
        threads.forEach(Thread::start);
        return threads;
    }

    /**
     * Final reads by independent consumers; on a local cluster the node leading most partitions is killed
     * between them, so the second read comes from other replicas. Before them, a read at read_committed (reader
     * {@link #READ_COMMITTED_READER}) for the transaction checks: it first waits for every transaction to end,
     * so that no abort marker of the coordinator's timer lands between the two read_uncommitted reads.
     */
    private static void finalReads(RunSpec spec, Recorder rec, LocalChaosCluster cluster, Nemesis nemesis,
                                   LeaderObserver observer, String bootstrap, String topic) throws Exception {
        int partitions = spec.workload().partitions();
        FinalReader.readCommitted(rec, READ_COMMITTED_READER, bootstrap, topic, partitions, SETTLE_TIMEOUT);
        FinalReader.read(rec, 1, bootstrap, topic, partitions, SETTLE_TIMEOUT);
        if (cluster != null && spec.rotate()) {
            observer.observeOnce(rec);
            int victim = Topics.busiestLeader(observer, partitions, spec.nodes());
            long t0 = rec.now();
            cluster.kill(victim);
            rec.complete(Meta.NEMESIS, Outcome.OK, t0, null, m -> new Op.Nemesis(m, "kill", "start", List.of(victim),
                    "rotate leadership before the second final read"));
            Topics.awaitLeadersOtherThan(observer, rec, partitions, victim, ROTATION_TIMEOUT);
            FinalReader.read(rec, 2, bootstrap, topic, partitions, ROTATION_TIMEOUT);
            // Not restarted: the run is over and the whole cluster is stopped next, which ends this fault too.
            rec.complete(Meta.NEMESIS, Outcome.OK, rec.now(), null, m -> new Op.Nemesis(m, "kill", "heal",
                    List.of(victim), "the run ends: every node is stopped"));
        } else {
            FinalReader.read(rec, 2, bootstrap, topic, partitions, SETTLE_TIMEOUT);
        }
    }

    private static Map<String, String> params(RunSpec spec, String topic) {
        Map<String, String> p = new LinkedHashMap<>(spec.workload().describe());
        p.put("topic", topic);
        p.put("workload.ms", Long.toString(spec.workloadMs()));
        p.put("cluster", spec.local() ? "local:" + spec.nodes() : spec.bootstrap());
        return p;
    }

    /** Lets the workload run to its planned length: the run's duration is the point, not synchronization. */
    private static void waitDeliberately(long startNanos, long workloadMs) throws InterruptedException {
        long leftMs = workloadMs - (System.nanoTime() - startNanos) / 1_000_000;
        if (leftMs > 0) {
            Thread.sleep(leftMs);
        }
    }

    private static void joinAll(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + THREAD_JOIN_TIMEOUT.toNanos();
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) {
                t.interrupt();
            }
        }
    }

    private static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
