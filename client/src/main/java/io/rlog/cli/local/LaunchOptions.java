package io.rlog.cli.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How {@link LocalCluster} starts a node JVM and how long it waits. The defaults run this JVM's own java and
 * class path with {@code io.rlog.cli.Main server --config FILE}; tests swap the main class for a fake node.
 *
 * @param javaCommand  the java executable
 * @param classpath    the node's class path
 * @param mainClass    called with {@code server --config <node.properties>}
 * @param jvmArgs      flags before the class path
 * @param startTimeout bound on waiting for a started node's /health to answer 200
 * @param stopTimeout  bound on waiting for a SIGTERMed node to exit before it gets SIGKILL
 */
public record LaunchOptions(String javaCommand, String classpath, String mainClass, List<String> jvmArgs,
                            Duration startTimeout, Duration stopTimeout) {
    public static final String MAIN_CLASS = "io.rlog.cli.Main";
    /**
     * Modest, so 9 nodes fit on a laptop; G1 because the node is latency-sensitive, not throughput-bound.
     * HotSpot's default tiered compilation (C2): warmed until its compilers were quiet, a C2 node took a third
     * less CPU per record than a C1-only one ({@code TieredStopAtLevel=1}, the default until 30 November) and ran
     * the closed loop 15-20 % faster; it compiles for minutes after start instead (issue 5's measurements).
     * Direct memory above the heap size: each hosted Raft group holds a ~1.07 MiB direct write buffer, so 1,000
     * partitions on a node need more than the default limit (equal to -Xmx).
     * G1 tuned as Kafka's own start script tunes its brokers (a 20 ms pause goal, marking from 35 % occupancy,
     * explicit GCs concurrent): with G1's default 200 ms goal young collections under closed-loop load took
     * 0.3-0.6 s, longer than the 400 ms after which a Raft leader without follower replies then stepped down,
     * and every such pause deposed all of the node's leaders (issue 5's measurements). Kept with today's 2 s: the
     * 20 ms goal gave a send p99 of 107-115 ms at 5,000 records/s against 431-479 ms with 200 ms.
     * {@code AlwaysPreTouch}: G1 takes young and old regions from opposite ends of its free list, so while a node's
     * old generation grew in its first minutes, young collections copied survivors (Raft log entries, live for
     * seconds) into pages never touched before, and this VM's page faults made "Object Copy" take 300 ms for
     * 19 MB. Touching the heap at start (about 3 s, and the whole heap resident from the first second) halved
     * the nodes' total pause time and cut the longest pauses from 238-337 ms to 85-128 ms (issue 5's
     * measurements).
     * {@code UseTransparentHugePages} (the heap in 2 MiB pages where the kernel offers them on request, as
     * Debian's "madvise" default does): a SIGKILLed process's sockets close only after the kernel has freed its
     * memory, which took 80 ms for a pre-touched 1 GiB heap in 4 KiB pages and 7 ms in huge pages, and peers learn
     * of a dead node from its closed port (PeerWatch), so every failover waited that long. Pauses and throughput
     * were the same with and without it (issue 5's measurements).
     */
    public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx1g", "-Xms1g", "-XX:MaxDirectMemorySize=2g",
            "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent", "-XX:+ExitOnOutOfMemoryError", "-XX:+AlwaysPreTouch",
            "-XX:+UseTransparentHugePages");
    /** Apache Kafka's brokers in {@code rlog bench --compare-kafka}: the flags its own start script uses. */
    public static final List<String> KAFKA_JVM_ARGS = List.of("-Xmx1g", "-Xms1g", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:+ExitOnOutOfMemoryError");
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    /** Ratis closes every group on SIGTERM; this leaves it time for many partitions before SIGKILL. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(20);

    public LaunchOptions {
        jvmArgs = List.copyOf(jvmArgs);
        if (startTimeout.isNegative() || startTimeout.isZero() || stopTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** Environment variable whose flags (split on spaces) follow the defaults, so they win where they clash. */
    public static final String EXTRA_JVM_ARGS_ENV = "RLOG_NODE_JAVA_OPTS";

    public static LaunchOptions defaults() {
        List<String> args = new java.util.ArrayList<>(DEFAULT_JVM_ARGS);
        String extra = System.getenv(EXTRA_JVM_ARGS_ENV);
        if (extra != null && !extra.isBlank()) {
            List<String> flags = List.of(extra.trim().split("\\s+"));
            if (flags.stream().anyMatch(f -> f.matches("-XX:\\+Use\\w+GC"))) {
                args.removeIf(f -> f.matches("-XX:\\+Use\\w+GC")); // the JVM refuses two collectors
            }
            args.addAll(flags);
        }
        return new LaunchOptions(currentJava(), System.getProperty("java.class.path"), MAIN_CLASS,
                args, DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT);
    }

    public LaunchOptions withMainClass(String value) {
        return new LaunchOptions(javaCommand, classpath, value, jvmArgs, startTimeout, stopTimeout);
    }

    public LaunchOptions withJvmArgs(List<String> value) {
        return new LaunchOptions(javaCommand, classpath, mainClass, value, startTimeout, stopTimeout);
    }

    public LaunchOptions withStartTimeout(Duration value) {
        return new LaunchOptions(javaCommand, classpath, mainClass, jvmArgs, value, stopTimeout);
    }

    public LaunchOptions withStopTimeout(Duration value) {
        return new LaunchOptions(javaCommand, classpath, mainClass, jvmArgs, startTimeout, value);
    }

    /** The java that runs this JVM, so nodes run on the same runtime as the tool that starts them. */
    static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
