package io.rlog.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Runs one case on one system: creates a fresh topic, starts the end-to-end consumer, sends for the case's
 * duration (closed or open loop) while sampling every second and injecting the fault, then reads everything back
 * and deletes the topic. A failure anywhere becomes a {@link CaseResult} with an error, never an exception, so
 * one bad case does not lose the others.
 */
final class WorkloadRunner {
    /** Kinds of send error listed per case; past this they are only counted. */
    private static final int ERROR_KINDS_MAX = 20;
    private static final Duration CONSUMER_READY_TIMEOUT = Duration.ofSeconds(30);
    /** How long the end-to-end consumer may take to catch up after the last acknowledgement. */
    private static final Duration E2E_CATCH_UP = Duration.ofSeconds(15);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    /** How long writing out the page cache before a case may take before the case starts anyway. */
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(120);

    /**
     * What the runner needs besides the case: where, how to label processes, what to tell the user, and the
     * folder whose file system holds the clusters' data ({@code flushDir}, null for a cluster elsewhere).
     */
    record Context(Target target, Map<String, String> producerOverrides, Map<String, String> consumerOverrides,
                   ProcessNames processes, Progress progress, Duration topicReadyTimeout, boolean deleteTopic,
                   long closedLoopWindowBytes, Path flushDir) {}

    /** The processes whose CPU time a case records, by label (e.g. rlog.node1, kafka.node2, bench). */
    interface ProcessNames {
        Map<String, Long> now();
    }

    /** Called once the topic has a leader for every partition, before the first send. */
    interface TopicReady {
        void accept(String topic) throws Exception;
    }

    private WorkloadRunner() {}

    static CaseResult run(Context ctx, CaseSpec spec, int index, TopicReady onTopicReady) {
        String system = ctx.target().system();
        String topic = "bench-" + index + "-" + system + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        Instant startedAt = Instant.now();
        try (Admin admin = Admin.create(ClientConfigs.admin(ctx.target().bootstrapServers()))) {
            try {
                List<TopicPartition> partitions = createTopic(admin, topic, spec, ctx);
                flushPageCache(ctx);
                onTopicReady.accept(topic);
                CaseResult result = measure(ctx, spec, index, admin, topic, partitions, startedAt);
                if (ctx.deleteTopic()) {
                    long hostedWithTopic = ctx.target().partitionReplicasHosted();
                    deleteQuietly(admin, topic);
                    if (hostedWithTopic >= 0) {
                        awaitReplicasRemoved(ctx, hostedWithTopic - (long) spec.partitions() * spec.rf());
                    }
                }
                return result;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CaseResult.failed(index, system, spec, topic, startedAt, "interrupted");
            } catch (Exception e) {
                return CaseResult.failed(index, system, spec, topic, startedAt, describe(e));
            }
        }
    }

    private static CaseResult measure(Context ctx, CaseSpec spec, int index, Admin admin, String topic,
                                      List<TopicPartition> partitions, Instant startedAt) throws Exception {
        long runId = ThreadLocalRandom.current().nextLong();
        RecordValue values = new RecordValue(runId, spec.recordSize(), runId);
        LatencyRecorder sendLatency = new LatencyRecorder();
        LatencyRecorder e2eLatency = new LatencyRecorder();
        LossAccount account = new LossAccount();
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Map<String, Long> errors = new ConcurrentHashMap<>();

        EndToEndConsumer e2e = new EndToEndConsumer(ClientConfigs.consumer(ctx, "rlog-bench-e2e"), partitions, values, e2eLatency);
        Thread e2eThread = new Thread(e2e, "bench-e2e-consumer");
        e2eThread.setDaemon(true);
        e2eThread.start();
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-timer");
            t.setDaemon(true);
            return t;
        });
        KafkaProducer<byte[], byte[]> producer = null;
        try {
            if (!e2e.awaitPositioned(CONSUMER_READY_TIMEOUT)) {
                throw new IllegalStateException("the end-to-end consumer could not start: " + e2e.failure());
            }
            producer = new KafkaProducer<>(ClientConfigs.producer(ctx, spec));
            CpuUse.Start cpu = CpuUse.start(ctx.processes().now());
            long origin = System.nanoTime();
            AckGaps gaps = new AckGaps(origin);
            Timeline timeline = new Timeline(origin);
            Sampler sampler = new Sampler(origin, spec.warmupS(), acked, failed, e2e::received, sendLatency, e2eLatency);
            timers.scheduleAtFixedRate(() -> ctx.progress().tick(sampler.sample()), 1, 1, TimeUnit.SECONDS);
            // The nodes' stage histograms at the end of the warm-up and at the last acknowledgement.
            AtomicReference<Map<Integer, NodeStages>> stagesAtStart = new AtomicReference<>();
            timers.schedule(() -> {
                try {
                    stagesAtStart.set(ctx.target().nodeStages());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, spec.warmupS() * 1000L, TimeUnit.MILLISECONDS);
            Future<?> fault = spec.fault() == Fault.NONE ? null
                    : timers.submit(new FaultInjector(ctx.target(), admin, topic, spec, timeline, gaps));

            Semaphore window = spec.openLoop() ? null
                    : new Semaphore((int) Math.max(1, ctx.closedLoopWindowBytes() / spec.recordSize()));
            long sent = send(producer, spec, topic, values, origin, window, (seq, intended) -> (md, e) -> {
                long now = System.nanoTime();
                if (window != null) {
                    window.release();
                }
                if (e == null) {
                    acked.incrementAndGet();
                    account.acked(seq);
                    gaps.ack(md.partition(), now, intended);
                    sendLatency.recordNanos(now - intended);
                } else {
                    failed.incrementAndGet();
                    account.failed(seq);
                    countError(errors, e);
                }
            }, failed, account, errors);
            producer.flush();
            gaps.end(System.nanoTime());
            // The measured window ends with the last acknowledgement; healing and catching up come after it.
            List<SecondSample> seconds = sampler.finish();
            CpuUse cpuUse = cpu.end();
            Map<Integer, NodeStages> stagesBefore = stagesAtStart.get();
            Map<String, NodeStages.Figure> nodeStages = stagesBefore == null ? Map.of()
                    : NodeStages.between(stagesBefore, ctx.target().nodeStages());
            awaitFault(fault, spec, timeline);
            waitFor(() -> e2e.received() >= acked.get(), E2E_CATCH_UP);
            timers.shutdownNow();

            LossAccount.Loss loss;
            boolean complete = ReadBack.run(ClientConfigs.consumer(ctx, "rlog-bench-readback"), partitions, values, account,
                    readBackTimeout(acked.get()));
            loss = account.result();
            if (e2e.failure() != null) {
                errors.merge("end-to-end consumer failed: " + describe(e2e.failure()), 1L, Long::sum);
            }
            double measuredS = seconds.stream().filter(SecondSample::measured).mapToDouble(SecondSample::lengthS).sum();
            long measuredAcked = seconds.stream().filter(SecondSample::measured).mapToLong(SecondSample::acked).sum();
            double rate = measuredS <= 0 ? Double.NaN : measuredAcked / measuredS;
            e2eLatency.interval(true); // what arrived while catching up belongs to the measured records
            return new CaseResult(index, ctx.target().system(), spec, topic, startedAt, sent, acked.get(),
                    failed.get(), measuredS, rate, rate * spec.recordSize() / 1e6,
                    LatencyRecorder.percentiles(sendLatency.measured()),
                    LatencyRecorder.percentiles(e2eLatency.measured()),
                    LatencyRecorder.cdf(sendLatency.measured()), LatencyRecorder.cdf(e2eLatency.measured()),
                    seconds, loss, complete, gaps.longest(), timeline.events(), cpuUse, nodeStages, topErrors(errors), null);
        } finally {
            timers.shutdownNow();
            e2e.stop();
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
            e2eThread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    interface CallbackFactory {
        org.apache.kafka.clients.producer.Callback forRecord(long seq, long intendedNanos);
    }

    /**
     * The send loop. Open loop: record i is due at {@link OpenLoopSchedule#intendedNanos}, sent then (or at once
     * when late) and timed from then. Closed loop: a record is sent as soon as the window has room (at most
     * {@code window}'s permits unacknowledged) and timed from its send() call; the window keeps the latency
     * that of the records in flight, not of everything the client's 32 MB buffer could queue, and bounds the
     * drain after the deadline. Either way it stops at the duration or after the record limit.
     *
     * @param window closed loop: one permit per record in flight, released by the callback; null for open loop
     * @return records handed to send()
     */
    static long send(KafkaProducer<byte[], byte[]> producer, CaseSpec spec, String topic, RecordValue values,
                     long origin, Semaphore window, CallbackFactory callbacks, AtomicLong failed,
                     LossAccount account, Map<String, Long> errors) throws InterruptedException {
        long deadline = origin + TimeUnit.SECONDS.toNanos(spec.durationS());
        OpenLoopSchedule schedule = spec.openLoop() ? new OpenLoopSchedule(origin, spec.targetRate()) : null;
        long limit = spec.recordsMax() > 0 ? spec.recordsMax() : CaseSpec.RECORDS_MAX;
        long seq = 0;
        for (; seq < limit; seq++) {
            long intended;
            if (schedule != null) {
                intended = schedule.intendedNanos(seq);
                if (intended - deadline >= 0) {
                    break;
                }
                for (long wait = intended - System.nanoTime(); wait > 0; wait = intended - System.nanoTime()) {
                    LockSupport.parkNanos(wait); // pacing to the schedule
                }
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !window.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
                intended = System.nanoTime();
            }
            try {
                producer.send(new ProducerRecord<>(topic, values.encode(seq, intended)),
                        callbacks.forRecord(seq, intended));
            } catch (RuntimeException e) {
                if (window != null) {
                    window.release();
                }
                failed.incrementAndGet();
                account.failed(seq);
                countError(errors, e);
            }
        }
        return seq;
    }

    private static void awaitFault(Future<?> fault, CaseSpec spec, Timeline timeline) throws InterruptedException {
        if (fault == null) {
            return;
        }
        // Healing restarts nodes, which LocalCluster bounds by its start timeout (60 s) per node.
        long boundS = spec.faultAtS() + spec.healAfterS() + 180;
        try {
            fault.get(boundS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(describe(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            fault.cancel(true);
            timeline.add("fault injection still running after " + boundS + " s; cancelled");
            throw new IllegalStateException("the fault was not healed within " + boundS + " s");
        }
    }

    private static List<TopicPartition> createTopic(Admin admin, String topic, CaseSpec spec, Context ctx)
            throws Exception {
        NewTopic t = new NewTopic(topic, spec.partitions(), (short) spec.rf());
        Map<String, String> configs = ctx.target().topicConfigs(spec.rf());
        if (!configs.isEmpty()) {
            t.configs(configs);
        }
        admin.createTopics(List.of(t)).all().get(ctx.topicReadyTimeout().toSeconds(), TimeUnit.SECONDS);
        boolean[] ready = {false};
        waitFor(() -> {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                        .get(topic);
                ready[0] = d.partitions().size() == spec.partitions()
                        && d.partitions().stream().map(TopicPartitionInfo::leader).allMatch(l -> l != null && !l.isEmpty());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            } catch (Exception e) {
                ready[0] = false; // not known everywhere yet
            }
            return ready[0];
        }, ctx.topicReadyTimeout());
        if (!ready[0]) {
            throw new IllegalStateException("topic " + topic + " has no leader for every partition after "
                    + ctx.topicReadyTimeout().toSeconds() + " s");
        }
        List<TopicPartition> out = new ArrayList<>();
        for (int p = 0; p < spec.partitions(); p++) {
            out.add(new TopicPartition(topic, p));
        }
        return out;
    }

    /**
     * Writes out what the page cache still holds for the clusters' file system ({@code sync -f}), so a case does
     * not pay for the last one's writes. A system that acknowledges before fsync (Kafka by default) leaves its
     * case's records in the page cache; the kernel writes them back up to 30 s later, which without this landed
     * in the next case, of the other system (672 MB in one run, with 0.25-0.5 s of disk stall a second during
     * rlog's 5,000 records/s case). How much was left is each case's {@code unsyncedMbAtEnd}.
     */
    static void flushPageCache(Context ctx) throws InterruptedException {
        if (ctx.flushDir() == null) {
            return;
        }
        long start = System.nanoTime();
        String failure = flush(ctx.flushDir(), FLUSH_TIMEOUT);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure != null) {
            ctx.progress().line("could not write out the page cache before the case (" + failure
                    + "); it starts anyway");
        } else if (seconds >= 1) {
            ctx.progress().line(String.format(Locale.ROOT,
                    "writing out the page cache before the case took %.1f s", seconds));
        }
    }

    /** Runs {@code sync -f DIR}; null when it succeeded, else why not. */
    static String flush(Path dir, Duration timeout) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("sync", "-f", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return "sync -f still running after " + timeout.toSeconds() + " s";
            }
            return p.exitValue() == 0 ? null : "sync -f exited with " + p.exitValue();
        } catch (IOException e) {
            return "sync -f: " + e.getMessage();
        }
    }

    private static void deleteQuietly(Admin admin, String topic) {
        try {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // a leftover topic costs the next cases a little; it is not a reason to fail this one
        }
    }

    /** How long the bench waits for a deleted topic's replicas to go before it starts the next case anyway. */
    static final Duration REPLICA_REMOVAL_TIMEOUT = Duration.ofMinutes(2);

    /** Waits until the cluster hosts at most {@code hostedBefore} partition replicas (the deleted topic's gone). */
    private static void awaitReplicasRemoved(Context ctx, long hostedBefore) throws InterruptedException {
        long deadline = System.nanoTime() + REPLICA_REMOVAL_TIMEOUT.toNanos();
        long hosted = ctx.target().partitionReplicasHosted();
        while (hosted > hostedBefore && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
            hosted = ctx.target().partitionReplicasHosted();
        }
        if (hosted > hostedBefore) {
            ctx.progress().line("the deleted topic's replicas were not all removed within "
                    + REPLICA_REMOVAL_TIMEOUT.toSeconds() + " s (" + hosted + " hosted, " + hostedBefore
                    + " before); the next case starts anyway");
        }
    }

    /** Long enough to read what a healthy cluster returns at a few thousand records/s, never below a minute. */
    private static Duration readBackTimeout(long acked) {
        final long floorS = 60;
        final long recordsPerS = 5_000;
        return Duration.ofSeconds(Math.max(floorS, acked / recordsPerS));
    }

    private static void countError(Map<String, Long> errors, Throwable e) {
        String key = describe(e);
        if (errors.size() < ERROR_KINDS_MAX || errors.containsKey(key)) {
            errors.merge(key, 1L, Long::sum);
        } else {
            errors.merge("(other errors)", 1L, Long::sum);
        }
    }

    private static Map<String, Long> topErrors(Map<String, Long> errors) {
        Map<String, Long> out = new LinkedHashMap<>();
        errors.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static String describe(Throwable t) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c instanceof java.util.concurrent.CompletionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        String msg = c.getMessage() == null ? "" : ": " + c.getMessage();
        // Keep messages short and free of per-record detail so equal errors count together.
        msg = msg.replaceAll("[0-9]+ record\\(s\\)", "N record(s)").replaceAll("bench-[0-9a-z-]+", "TOPIC");
        return c.getClass().getSimpleName() + (msg.length() > 200 ? msg.substring(0, 200) + "..." : msg);
    }

    /** A bounded wait for a condition of this process's own threads; gives up silently at the bound. */
    private static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        io.rlog.cli.common.Poll.until(condition, timeout, POLL_INTERVAL);
    }
}
