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
    /** Modest, so 9 nodes fit on a laptop; G1 because the node is latency-sensitive, not throughput-bound. */
    public static final List<String> DEFAULT_JVM_ARGS =
            List.of("-Xmx1g", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    /** Ratis closes every group on SIGTERM; this leaves it time for many partitions before SIGKILL. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(20);

    public LaunchOptions {
        jvmArgs = List.copyOf(jvmArgs);
        if (startTimeout.isNegative() || startTimeout.isZero() || stopTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    public static LaunchOptions defaults() {
        return new LaunchOptions(currentJava(), System.getProperty("java.class.path"), MAIN_CLASS,
                DEFAULT_JVM_ARGS, DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT);
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
