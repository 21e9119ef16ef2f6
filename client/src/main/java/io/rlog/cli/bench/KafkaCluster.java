package io.rlog.cli.bench;

import io.rlog.cli.CommandFailedException;
import io.rlog.cli.common.Poll;
import io.rlog.cli.local.LaunchOptions;
import io.rlog.cli.local.NodeState;
import io.rlog.cli.local.OwnedProcess;
import io.rlog.cli.local.PidFile;
import io.rlog.cli.local.PortScheme;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka brokers on loopback for `rlog bench --compare-kafka`: N JVMs in KRaft combined mode (each a
 * broker and a controller voter), formatted with one cluster id, started and stopped by the bench. The jars
 * come from the compare-kafka Maven profile (kafka-dist/target/kafka-libs). Broker K gets node.id K, its
 * client port from {@link PortScheme#kafkaPort} and its controller port from {@link PortScheme#raftPort}.
 *
 * <p>Broker settings are Kafka's defaults except what a loopback KRaft cluster needs, plus topics created with
 * min.insync.replicas = a majority of their replication factor, the same quorum an rlog partition waits for.
 * Kafka does not fsync per write by default (log.flush.interval.messages is unset): an acknowledged record is in
 * the page cache of the in-sync replicas, which is rlog's fsync=background, not fsync=always.
 *
 * <p>Calls on different brokers may run concurrently.
 */
final class KafkaCluster implements Target {
    static final String BROKER_MAIN = "kafka.Kafka";
    /** Kafka 4.4's `kafka-storage.sh` runs this class (checked in kafka_2.13-4.4.0.jar). */
    static final String STORAGE_TOOL_MAIN = "kafka.tools.StorageTool";
    static final String BUILD_HINT = "./mvnw -q -B -P compare-kafka -pl kafka-dist package";
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final int LOG_TAIL_LINES = 30;

    private final Path dir;
    private final Path libs;
    private final PortScheme ports;
    private final Map<String, String> brokerSettings;
    private final List<String> jvmArgs;
    private final Duration startTimeout;
    private final Consumer<String> notices;
    private final Map<Integer, OwnedProcess> processes = new ConcurrentHashMap<>();

    private KafkaCluster(Path dir, Path libs, PortScheme ports, Map<String, String> brokerSettings,
                         List<String> jvmArgs, Duration startTimeout, Consumer<String> notices) {
        this.dir = dir;
        this.startTimeout = startTimeout;
        this.libs = libs;
        this.ports = ports;
        this.brokerSettings = brokerSettings;
        this.jvmArgs = jvmArgs;
        this.notices = notices;
    }

    /** The broker jar in {@code libs}, or an error saying how to build the folder. */
    static Path brokerJar(Path libs) throws IOException {
        if (Files.isDirectory(libs)) {
            try (Stream<Path> files = Files.list(libs)) {
                Optional<Path> jar = files.filter(p -> p.getFileName().toString().matches("kafka_2\\.13-.*\\.jar"))
                        .findFirst();
                if (jar.isPresent()) {
                    return jar.get();
                }
            }
        }
        throw new CommandFailedException("no Apache Kafka jars in " + libs + "; fetch them with: " + BUILD_HINT);
    }

    /** The broker version, from the jar's name (kafka_2.13-4.4.0.jar). */
    static String version(Path libs) throws IOException {
        String name = brokerJar(libs).getFileName().toString();
        return name.substring("kafka_2.13-".length(), name.length() - ".jar".length());
    }

    /** Formats and starts {@code nodes} brokers in {@code dir}, waiting until every one serves. */
    static KafkaCluster start(Path dir, Path libs, int nodes, Map<String, String> extra, Duration startTimeout,
                              Consumer<String> notices) throws IOException, InterruptedException {
        brokerJar(libs);
        PortScheme ports = PortScheme.findFree(nodes);
        KafkaCluster cluster = new KafkaCluster(dir, libs, ports, KafkaBrokerConfig.shared(ports, extra),
                LaunchOptions.KAFKA_JVM_ARGS, startTimeout, notices);
        try {
            cluster.format(Uuid.randomUuid().toString());
            for (int node : cluster.nodes()) {
                cluster.launch(node);
            }
            cluster.awaitServing(cluster.nodes());
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    static final String LOOPBACK = "127.0.0.1";

    private Path nodeDir(int node) {
        return dir.resolve("broker-" + node);
    }

    private Path logFile(int node) {
        return nodeDir(node).resolve("server.log");
    }

    private Path configFile(int node) {
        return nodeDir(node).resolve("server.properties");
    }

    private void format(String clusterId) throws IOException, InterruptedException {
        List<Process> formats = new ArrayList<>();
        for (int node : nodes()) {
            Files.createDirectories(nodeDir(node).resolve("data"));
            Files.writeString(configFile(node), KafkaBrokerConfig.file(brokerSettings, ports, node,
                    nodeDir(node).resolve("data")), StandardCharsets.UTF_8);
            Files.writeString(nodeDir(node).resolve("log4j2.properties"), KafkaBrokerConfig.LOG4J2,
                    StandardCharsets.UTF_8);
            formats.add(java(node, STORAGE_TOOL_MAIN, List.of("format", "-t", clusterId, "-c",
                    configFile(node).toAbsolutePath().toString())).start());
        }
        for (int i = 0; i < formats.size(); i++) {
            Process p = formats.get(i);
            if (!p.waitFor(startTimeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CommandFailedException("kafka-storage format of broker " + (i + 1) + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new CommandFailedException("kafka-storage format of broker " + (i + 1) + " failed:\n"
                        + LogFiles.tail(logFile(i + 1), LOG_TAIL_LINES));
            }
        }
    }

    private ProcessBuilder java(int node, String main, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(LogFiles.currentJava());
        cmd.addAll(jvmArgs);
        cmd.add("-Dlog4j2.configurationFile=" + nodeDir(node).resolve("log4j2.properties").toAbsolutePath());
        cmd.add("-Dkafka.logs.dir=" + nodeDir(node).toAbsolutePath());
        cmd.add("-Drlog.bench.kafka.node=" + node); // names the broker in `ps`; nothing reads it
        cmd.add("-cp");
        cmd.add(libs.toAbsolutePath() + File.separator + "*");
        cmd.add(main);
        cmd.addAll(args);
        return new ProcessBuilder(cmd)
                .directory(nodeDir(node).toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(node).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    private void launch(int node) throws IOException {
        Files.writeString(logFile(node), "=== rlog bench: starting broker " + node + " at " + Instant.now() + " ===\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = java(node, BROKER_MAIN, List.of(configFile(node).toAbsolutePath().toString())).start();
        Instant start = process.toHandle().info().startInstant().orElseThrow(() -> {
            process.destroyForcibly();
            return new CommandFailedException("cannot read the start time of broker pid " + process.pid());
        });
        PidFile record = new PidFile(process.pid(), start);
        record.write(nodeDir(node).resolve("pid"));
        processes.put(node, OwnedProcess.verify(record).orElseThrow(() -> new CommandFailedException(
                "broker " + node + " exited at once:\n" + LogFiles.tail(logFile(node), LOG_TAIL_LINES))));
    }

    /**
     * Waits until each node's process runs, its port accepts connections, and a metadata request answered
     * through that very broker lists it (so a restarted broker counts only once it serves again).
     */
    private void awaitServing(List<Integer> wanted) throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + startTimeout.toNanos();
        for (int node : wanted) {
            Duration left = Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime()));
            boolean[] died = {false};
            boolean up = Poll.until(() -> {
                OwnedProcess p = processes.get(node);
                if (p == null || !p.isAlive()) {
                    died[0] = true;
                    return true;
                }
                return portOpen(ports.kafkaPort(node)) && listsItself(node);
            }, left, POLL_INTERVAL);
            if (died[0]) {
                throw new CommandFailedException("Kafka broker " + node + " exited while starting; last lines of "
                        + logFile(node) + ":\n" + LogFiles.tail(logFile(node), LOG_TAIL_LINES));
            }
            if (!up) {
                throw new CommandFailedException("Kafka broker " + node + " not serving after "
                        + startTimeout.toSeconds() + " s; last lines of " + logFile(node) + ":\n"
                        + LogFiles.tail(logFile(node), LOG_TAIL_LINES));
            }
        }
    }

    private boolean listsItself(int node) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LOOPBACK + ":" + ports.kafkaPort(node));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        try (Admin admin = Admin.create(p)) {
            Set<Integer> ids = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).stream()
                    .map(Node::id).collect(Collectors.toSet());
            return ids.contains(node);
        } catch (Exception e) {
            return false; // not serving yet
        }
    }

    private static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOOPBACK, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String system() {
        return "kafka";
    }

    @Override
    public String bootstrapServers() {
        return ports.bootstrapServers(LOOPBACK);
    }

    @Override
    public List<Integer> nodes() {
        return IntStream.rangeClosed(1, ports.nodes()).boxed().toList();
    }

    @Override
    public Map<Integer, Long> pids() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        for (int node : nodes()) {
            OwnedProcess p = processes.get(node);
            if (p != null && p.isAlive()) {
                out.put(node, p.pid());
            }
        }
        return out;
    }

    @Override
    public void kill(int node) throws InterruptedException {
        OwnedProcess p = running(node);
        p.kill();
        if (!p.awaitExit(KILL_TIMEOUT)) {
            throw new CommandFailedException("broker " + node + " still runs after SIGKILL");
        }
        processes.remove(node);
    }

    @Override
    public void pause(int node) throws IOException, InterruptedException {
        OwnedProcess p = running(node);
        p.pause();
        if (!p.awaitState(NodeState.PAUSED, KILL_TIMEOUT)) {
            throw new CommandFailedException("broker " + node + " did not stop on SIGSTOP");
        }
    }

    @Override
    public void resume(int node) throws IOException, InterruptedException {
        OwnedProcess p = running(node);
        p.resume();
        if (!p.awaitState(NodeState.RUNNING, KILL_TIMEOUT)) {
            throw new CommandFailedException("broker " + node + " did not resume on SIGCONT");
        }
    }

    @Override
    public void restart(List<Integer> nodes) throws IOException, InterruptedException {
        for (int node : nodes) {
            OwnedProcess p = processes.get(node);
            if (p != null && p.isAlive()) {
                throw new IllegalStateException("broker " + node + " still runs; kill it before restarting it");
            }
            launch(node);
        }
        awaitServing(nodes);
    }

    @Override
    public Map<String, String> topicConfigs(int rf) {
        return Map.of("min.insync.replicas", Integer.toString(rf / 2 + 1));
    }

    @Override
    public Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("brokers", Integer.toString(ports.nodes()));
        brokerSettings.forEach((k, v) -> out.put("broker." + k, v));
        out.put("topic.min.insync.replicas", "majority of the replication factor (rf/2+1)");
        out.put("jvm", String.join(" ", jvmArgs));
        return out;
    }

    Path logFileOf(int node) {
        return logFile(node);
    }

    /**
     * SIGTERM to every broker (SIGCONT first to a paused one), then SIGKILL after {@link #STOP_TIMEOUT}: the data
     * is thrown away, so a slow controlled shutdown is not waited for.
     */
    @Override
    public void close() {
        try {
            for (OwnedProcess p : processes.values()) {
                if (p.state() == NodeState.PAUSED) {
                    p.resume();
                }
                p.terminate();
            }
            long deadlineNs = System.nanoTime() + STOP_TIMEOUT.toNanos();
            for (Map.Entry<Integer, OwnedProcess> e : processes.entrySet()) {
                Duration left = Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime()));
                if (!e.getValue().awaitExit(left)) {
                    notices.accept("Kafka broker " + e.getKey() + " still runs " + STOP_TIMEOUT.toSeconds()
                            + " s after SIGTERM; sending SIGKILL");
                    e.getValue().kill();
                    e.getValue().awaitExit(KILL_TIMEOUT);
                }
            }
            processes.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            processes.values().forEach(OwnedProcess::kill);
        } catch (IOException e) {
            processes.values().forEach(OwnedProcess::kill);
            throw new UncheckedIOException(e);
        }
    }

    private OwnedProcess running(int node) {
        OwnedProcess p = processes.get(node);
        if (p == null || !p.isAlive()) {
            throw new CommandFailedException("broker " + node + " is not running");
        }
        return p;
    }
}
