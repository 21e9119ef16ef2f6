package io.rlog.cli.bench;

import io.rlog.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * `rlog bench`: a matrix of durability settings against a fresh local rlog cluster (or --bootstrap), optionally
 * side by side with Apache Kafka, with loss accounting under an optional fault. Progress goes to stderr; stdout
 * gets the result files and, last, one summary line holding {@code ratio=R} (rlog/Kafka records/s of the
 * headline acks=all case, or {@code ratio=n/a}). Exit 1 if a case could not run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure throughput, latency and loss per durability setting, optionally against Apache Kafka.",
            "Default matrix: acks 0,1,all x fsync always,background x rf 1,3, 1 KiB records, closed loop."})
public final class BenchCommand implements Callable<Integer> {
    /** Options that shape the matrix, which --quick fixes itself. */
    static final List<String> MATRIX_OPTIONS = List.of("--acks", "--fsync", "--rf", "--record-size", "--linger-ms",
            "--batch-size", "--compression", "--target-rate", "--partitions", "--records", "--fault");

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "a small fixed matrix on the issue's reference workload (well under 10 minutes)")
    boolean quick;
    @Option(names = "--compare-kafka", description = "run each workload on 3 Apache Kafka brokers too, alternating")
    boolean compareKafka;
    @Option(names = {"--bootstrap", "--bootstrap-server"}, paramLabel = "HOST:PORT[,...]",
            description = "measure this cluster instead of starting local rlog nodes (no faults, no fsync matrix)")
    String bootstrap;
    @Option(names = "--acks", split = ",", defaultValue = "all,1,0", paramLabel = "all|1|0", description = "default: ${DEFAULT-VALUE}")
    List<String> acks;
    @Option(names = "--fsync", split = ",", defaultValue = "always,background", paramLabel = "always|background",
            description = "rlog's raft.log.fsync; default: ${DEFAULT-VALUE}")
    List<String> fsync;
    @Option(names = "--rf", split = ",", defaultValue = "1,3", paramLabel = "N", description = "replication factors; default: ${DEFAULT-VALUE}")
    List<Integer> rf;
    @Option(names = "--record-size", split = ",", defaultValue = "1024", paramLabel = "BYTES", description = "default: ${DEFAULT-VALUE}")
    List<Integer> recordSize;
    @Option(names = "--linger-ms", split = ",", defaultValue = "5", paramLabel = "MS", description = "default: ${DEFAULT-VALUE}")
    List<Integer> lingerMs;
    @Option(names = "--batch-size", split = ",", defaultValue = "65536", paramLabel = "BYTES", description = "default: ${DEFAULT-VALUE}")
    List<Integer> batchSize;
    @Option(names = "--compression", split = ",", defaultValue = "none", paramLabel = "TYPE",
            description = "none, gzip, snappy, lz4, zstd; default: ${DEFAULT-VALUE}")
    List<String> compression;
    @Option(names = "--target-rate", split = ",", defaultValue = "0", paramLabel = "RECORDS_PER_S",
            description = "open loop at this rate; 0 = closed loop (as fast as possible); default: ${DEFAULT-VALUE}")
    List<Integer> targetRate;
    @Option(names = "--partitions", defaultValue = "6", description = "default: ${DEFAULT-VALUE}")
    int partitions;
    @Option(names = "--duration-s", description = "seconds of sending per case; default 15 (--quick: 12)")
    Integer durationS;
    @Option(names = "--records", defaultValue = "0", description = "stop a case after this many records (0: no limit)")
    long records;
    @Option(names = "--cluster-warmup-s", defaultValue = "10", description = "length of each warm-up phase: unmeasured"
            + " acks=all load on each freshly started cluster (rlog and Kafka alike), in rounds of a closed loop and"
            + " an open loop at 5,000 records/s this long, until the JIT compilers are quiet (at most 6 rounds), so"
            + " that the cases do not measure JIT compilation; 0: none; default: ${DEFAULT-VALUE}")
    int clusterWarmupS;
    @Option(names = "--profile", description = "record a JFR profile (settings=profile) of every node of each case,"
            + " from its topic being ready to the end of its read-back, into OUT/profiles")
    boolean profile;

    @Option(names = "--warmup-s", defaultValue = "2", description = "leading seconds left out of the summary figures; default: ${DEFAULT-VALUE}")
    int warmupS;
    @Option(names = "--fault", defaultValue = "none", paramLabel = "none|kill-leader|kill-all|pause-leader",
            description = "in every case: SIGKILL partition 0's leader, SIGKILL every node, or SIGSTOP the leader; then heal")
    String fault;
    @Option(names = "--fault-at-s", defaultValue = "5", description = "default: ${DEFAULT-VALUE}")
    int faultAtS;
    @Option(names = "--heal-after-s", defaultValue = "5", description = "restart or resume the node(s) this long after the fault; default: ${DEFAULT-VALUE}")
    int healAfterS;
    @Option(names = "--many-partitions", description = "also run the many-partitions case (memory, idle CPU, throughput)")
    boolean manyPartitions;
    @Option(names = "--many-partitions-count", defaultValue = "1000", description = "default: ${DEFAULT-VALUE}")
    int manyPartitionsCount;
    @Option(names = "--idle-s", defaultValue = "10", description = "idle interval for the CPU figures of --many-partitions; default: ${DEFAULT-VALUE}")
    int idleS;
    @Option(names = "--skip-matrix", description = "run only --many-partitions")
    boolean skipMatrix;
    @Option(names = "--window-bytes", defaultValue = "8388608", paramLabel = "BYTES",
            description = "closed loop: at most this many record bytes unacknowledged; default: ${DEFAULT-VALUE} (8 MiB)")
    long windowBytes;
    @Option(names = "--start-timeout-s", defaultValue = "120",
            description = "bound on starting a cluster or restarting a node; default: ${DEFAULT-VALUE}")
    int startTimeoutS;
    @Option(names = "--nodes", defaultValue = "3", description = "nodes (and Kafka brokers) to start; default: ${DEFAULT-VALUE}")
    int nodes;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "extra rlog node setting, as `rlog local start --set`; repeatable")
    Map<String, String> nodeSettings = new LinkedHashMap<>();
    @Option(names = "--kafka-set", paramLabel = "KEY=VALUE", description = "extra Kafka broker setting; repeatable")
    Map<String, String> kafkaSettings = new LinkedHashMap<>();
    @Option(names = "--producer-property", paramLabel = "KEY=VALUE", description = "extra producer config for every system; repeatable")
    Map<String, String> producerProperties = new LinkedHashMap<>();
    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE", description = "extra consumer config; repeatable")
    Map<String, String> consumerProperties = new LinkedHashMap<>();
    @Option(names = "--kafka-libs", paramLabel = "DIR", description = "Kafka's jars; default: kafka-dist/target/kafka-libs of this checkout")
    Path kafkaLibs;
    @Option(names = "--out", paramLabel = "DIR", description = "result folder; default: target/rlog-bench-<time>")
    Path out;

    @Override
    public Integer call() throws Exception {
        BenchSettings settings = settings();
        quietClientWarnings();
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, System.console() != null);
        Map<String, String> versions = versions(settings);
        Map<String, String> record = settingsRecord(settings);
        BenchReport report = new BenchRunner(settings, progress).run(versions, record, Notes.of(settings));
        ResultsWriter.writeAll(report, settings.out());
        PrintWriter stdout = spec.commandLine().getOut();
        for (String f : List.of(ResultsWriter.CSV, ResultsWriter.TIMESERIES_CSV, ResultsWriter.JSON, ResultsWriter.HTML)) {
            stdout.println(f + "=" + settings.out().resolve(f).toAbsolutePath());
        }
        stdout.println(summaryLine(report));
        stdout.flush();
        return report.failedCases() == 0 ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    /**
     * During a fault the Kafka clients warn on every retry, which would bury the progress line; the bench counts
     * and reports every failed send itself.
     */
    private static void quietClientWarnings() {
        if (org.slf4j.LoggerFactory.getLogger("org.apache.kafka") instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    /** The last stdout line: counts, the headline's records/s, and its rlog/Kafka ratio (or n/a). */
    static String summaryLine(BenchReport r) {
        StringBuilder s = new StringBuilder("summary cases=" + r.cases().size() + " failed=" + r.failedCases());
        String system = r.cases().stream().anyMatch(c -> c.system().equals("external")) ? "external" : "rlog";
        s.append(" lost=").append(r.lost(system)).append(" duplicates=").append(r.duplicates(system));
        long unverified = r.unverified(system);
        if (unverified > 0) {
            s.append(" read_back_incomplete=").append(unverified);
        }
        String ratio = "n/a";
        if (r.headline().isPresent()) {
            CaseResult h = r.headline().get();
            s.append(" records_per_s=").append(HtmlReport.fmt(h.recordsPerS(), 0).replace(",", ""));
            s.append(" send_p99_ms=").append(HtmlReport.fmt(h.send().p99Ms(), 2).replace(",", ""));
            Comparison c = r.comparisonOf(h).orElse(null);
            if (c != null) {
                s.append(" kafka_records_per_s=").append(HtmlReport.fmt(c.kafka().recordsPerS(), 0).replace(",", ""));
                double v = c.throughputRatio();
                ratio = Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "n/a";
            }
        }
        return s.append(" ratio=").append(ratio).toString();
    }

    private BenchSettings settings() throws IOException {
        var parsed = spec.commandLine().getParseResult();
        if (quick) {
            for (String o : MATRIX_OPTIONS) {
                if (parsed.hasMatchedOption(o)) {
                    throw usage("--quick runs its own matrix; drop " + o);
                }
            }
        }
        if (bootstrap != null) {
            for (String o : List.of("--fsync", "--fault", "--many-partitions", "--set", "--profile")) {
                if (parsed.hasMatchedOption(o)) {
                    throw usage(o + " needs a cluster the bench starts itself; drop --bootstrap");
                }
            }
        }
        if (skipMatrix && !manyPartitions) {
            throw usage("--skip-matrix leaves nothing to run without --many-partitions");
        }
        if (windowBytes < 1) {
            throw usage("--window-bytes must be >= 1");
        }
        if (nodes < 1 || nodes > 9) {
            throw usage("--nodes must be in 1..9");
        }
        for (String a : acks) {
            if (!CaseSpec.ACKS.contains(a)) {
                throw usage("--acks takes all, 1 and 0, got " + a);
            }
        }
        List<CaseSpec> cases;
        try {
            int duration = durationS != null ? durationS : quick ? Matrix.QUICK_DURATION_S : 15;
            if (skipMatrix) {
                cases = List.of();
            } else if (quick) {
                cases = Matrix.quick(duration, warmupS);
            } else {
                Fault f = Fault.parse(fault);
                cases = Matrix.expand(new Matrix.Dimensions(acks, bootstrap != null ? List.of("n/a") : fsync, rf,
                        recordSize, lingerMs, batchSize, compression, targetRate, partitions, duration, records,
                        warmupS, f, f == Fault.NONE ? 0 : faultAtS, healAfterS));
            }
            if (manyPartitions && manyPartitionsCount < 1) {
                throw new IllegalArgumentException("--many-partitions-count must be >= 1");
            }
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        for (CaseSpec c : cases) {
            if (c.rf() > nodes && bootstrap == null) {
                throw usage("replication factor " + c.rf() + " needs at least " + c.rf() + " nodes; --nodes is " + nodes);
            }
        }
        Path libs = kafkaLibs != null ? kafkaLibs : defaultKafkaLibs();
        if (compareKafka) {
            KafkaCluster.brokerJar(libs); // fail now, not after the first rlog case
        }
        Path outDir = out != null ? out : Path.of("target", "rlog-bench-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(outDir);
        Path work = Files.createTempDirectory("rlog-bench-");
        return new BenchSettings(cases, bootstrap, nodes, nodeSettings, compareKafka, libs, kafkaSettings,
                producerProperties, consumerProperties, manyPartitions, manyPartitionsCount,
                durationS != null ? durationS : 30, idleS, outDir, work, java.time.Duration.ofSeconds(startTimeoutS), windowBytes, quick,
                String.join(" ", spec.commandLine().getParseResult().originalArgs()).replaceFirst("^bench ", ""), clusterWarmupS, profile);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** kafka-dist/target/kafka-libs of the checkout this code runs from (client/target/classes or a jar). */
    static Path defaultKafkaLibs() {
        String root = System.getProperty("rlog.root");
        if (root != null && !root.isBlank()) {
            return Path.of(root, "kafka-dist", "target", "kafka-libs");
        }
        try {
            Path p = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = p; d != null; d = d.getParent()) {
                Path candidate = d.resolve("kafka-dist").resolve("target").resolve("kafka-libs");
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        return Path.of("kafka-dist", "target", "kafka-libs");
    }

    private static Map<String, String> versions(BenchSettings s) throws IOException {
        Map<String, String> v = new LinkedHashMap<>();
        String rlog = Main.class.getPackage().getImplementationVersion();
        v.put("rlog", rlog == null ? "built from source" : rlog);
        GitCommit.of(s.kafkaLibs()).ifPresent(c -> v.put("rlog.git", c));
        v.put("kafka-clients", kafkaClientsVersion());
        if (s.compareKafka()) {
            v.put("kafka broker", KafkaCluster.version(s.kafkaLibs()));
        }
        v.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return v;
    }

    /** From the properties file kafka-clients ships in its jar; its version class is internal API. */
    static String kafkaClientsVersion() {
        try (var in = org.apache.kafka.clients.producer.KafkaProducer.class
                .getResourceAsStream("/kafka/kafka-version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Map<String, String> settingsRecord(BenchSettings s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("command", "rlog bench " + s.commandLine());
        m.put("target", s.bootstrap() == null ? "local rlog cluster of " + s.nodes() + " nodes" : s.bootstrap());
        m.put("compare-kafka", Boolean.toString(s.compareKafka()));
        m.put("cases", Integer.toString(s.cases().size()));
        m.put("producer", "one KafkaProducer per case; acks, enable.idempotence (= acks is all), linger.ms, "
                + "batch.size, compression.type from the case; other settings the client's defaults");
        m.put("closed-loop window", s.closedLoopWindowBytes() + " bytes of records unacknowledged at most");
        s.producerOverrides().forEach((k, v) -> m.put("producer." + k, v));
        s.consumerOverrides().forEach((k, v) -> m.put("consumer." + k, v));
        s.nodeSettings().forEach((k, v) -> m.put("rlog.node." + k, v));
        s.kafkaSettings().forEach((k, v) -> m.put("kafka.broker." + k, v));
        m.put("rlog node JVM flags", String.join(" ", io.rlog.cli.local.LaunchOptions.defaults().jvmArgs()));
        m.put("Kafka broker JVM flags", String.join(" ", io.rlog.cli.local.LaunchOptions.KAFKA_JVM_ARGS));
        m.put("work dir (deleted at the end)", s.workDir().toString());
        return m;
    }
}
