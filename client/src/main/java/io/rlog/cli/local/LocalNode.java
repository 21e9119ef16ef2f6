package io.rlog.cli.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/** One node's files and process: writes its config, launches its JVM, finds the process it launched. */
final class LocalNode {
    private final int id;
    private final Path dir;
    private final LaunchOptions options;
    private final Consumer<String> notices;

    LocalNode(int id, Path clusterDir, LaunchOptions options, Consumer<String> notices) {
        this.id = id;
        this.dir = ClusterFiles.nodeDir(clusterDir, id);
        this.options = options;
        this.notices = notices;
    }

    int id() {
        return id;
    }

    Path dir() {
        return dir;
    }

    Path configFile() {
        return dir.resolve("node.properties");
    }

    Path logFile() {
        return dir.resolve("server.log");
    }

    Path pidFile() {
        return dir.resolve("pid");
    }

    Path dataDir() {
        return dir.resolve("data");
    }

    void writeConfig(PortScheme ports, String host, IntFunction<String> peerHosts, Map<String, String> settings)
            throws IOException {
        Files.createDirectories(dataDir());
        ClusterFiles.writeAtomically(configFile(),
                ClusterFiles.nodeConfig(id, ports, host, peerHosts, dataDir(), settings));
    }

    /**
     * The node's process if its pid file names a live process with the recorded start instant. A stale pid
     * file is reported to the notices and left alone: nothing is signalled on its word.
     */
    Optional<OwnedProcess> owned() throws IOException {
        return owned(true);
    }

    /** As {@link #owned()}, without the notice: for a caller that handles the node's absence itself. */
    Optional<OwnedProcess> ownedQuietly() throws IOException {
        return owned(false);
    }

    private Optional<OwnedProcess> owned(boolean reportStale) throws IOException {
        Optional<PidFile> record = PidFile.read(pidFile());
        if (record.isEmpty()) {
            return Optional.empty();
        }
        Optional<OwnedProcess> process = OwnedProcess.verify(record.get());
        if (process.isEmpty() && reportStale) {
            notices.accept("node " + id + ": stale pid file " + pidFile() + " (" + OwnedProcess.whyStale(record.get())
                    + "); not signalling it");
        }
        return process;
    }

    /**
     * Called once a process this tool started is known to have exited (we signalled it, or it died while
     * starting), so status reads "stopped" without a stale-pid notice.
     */
    void forgetPid() throws IOException {
        Files.deleteIfExists(pidFile());
    }

    /** Starts the node JVM in the background and records (pid, start instant) before returning. */
    OwnedProcess launch() throws IOException {
        Files.createDirectories(dataDir());
        Files.writeString(logFile(), "=== rlog local: starting node " + id + " at " + Instant.now() + " ===\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                // The node never reads stdin; /dev/null keeps it from holding the launcher's terminal.
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Optional<Instant> start = process.toHandle().info().startInstant();
        if (start.isEmpty()) {
            // Without a start instant the pid could never be verified later, so the node could never be
            // stopped safely: refuse to leave it running.
            process.destroyForcibly();
            throw new LocalClusterException("node " + id + ": cannot read the start time of pid " + process.pid());
        }
        PidFile record = new PidFile(process.pid(), start.get());
        record.write(pidFile());
        return OwnedProcess.verify(record).orElseThrow(() -> new LocalClusterException(
                "node " + id + " exited at once; last lines of " + logFile() + ":\n" + logTail(40)));
    }

    String logTail(int lines) {
        return LogTail.lastLines(logFile(), lines);
    }

    private List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(options.javaCommand());
        cmd.addAll(options.jvmArgs());
        // Names the node in `ps` output; nothing reads it.
        cmd.add("-Drlog.local.node=" + id);
        cmd.add("-cp");
        cmd.add(options.classpath());
        cmd.add(options.mainClass());
        cmd.add("server");
        cmd.add("--config");
        cmd.add(configFile().toAbsolutePath().toString());
        return cmd;
    }
}
