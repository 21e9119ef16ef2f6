package io.rlog.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * JFR profiles of a case's nodes ({@code --profile}): a recording with the JDK's "profile" settings starts in
 * every node process once the case's topic is ready and is written to {@code OUT/profiles/case-N-SYSTEM-nodeK.jfr}
 * when the case (its read-back included) is over. The nodes are driven with the JDK's own {@code jcmd}, so the
 * same works for rlog nodes and Kafka brokers. A profile that cannot be started or written (a node killed by the
 * case's fault, whose restarted process has no recording) is reported and skipped; it never fails the case.
 */
final class NodeProfiles {

    /** Under the results folder. */
    static final String DIR = "profiles";

    private static final String RECORDING = "rlog-bench";
    private static final long JCMD_TIMEOUT_S = 60;

    private final Path dir;
    private final String prefix;
    private final Consumer<String> report;
    /** Node number to the pid its recording runs in. */
    private final Map<Integer, Long> started = new LinkedHashMap<>();

    NodeProfiles(Path dir, String prefix, Consumer<String> report) {
        this.dir = dir;
        this.prefix = prefix;
        this.report = report;
    }

    /** Starts a recording in every live node of {@code target}. */
    void start(Target target) {
        Map<Integer, Long> pids;
        try {
            pids = target.pids();
        } catch (IOException e) {
            report.accept("no profiles for " + prefix + ": cannot read the node pids: " + e.getMessage());
            return;
        }
        pids.forEach((node, pid) -> {
            try {
                String answer = jcmd(pid, "JFR.start", "name=" + RECORDING, "settings=profile");
                if (answer.contains("Started recording")) {
                    started.put(node, pid);
                } else {
                    report.accept("no profile of " + prefix + " node " + node + ": jcmd JFR.start: " + firstLine(answer));
                }
            } catch (IOException e) {
                report.accept("no profile of " + prefix + " node " + node + ": " + e.getMessage());
            }
        });
    }

    /** Writes and ends every recording started. */
    void stop() {
        int written = 0;
        for (Map.Entry<Integer, Long> e : started.entrySet()) {
            Path file = dir.resolve(prefix + "-node" + e.getKey() + ".jfr").toAbsolutePath();
            String why;
            try {
                Files.createDirectories(dir);
                // jcmd exits 0 even when the recording is gone (a killed node): the file is the evidence.
                String answer = jcmd(e.getValue(), "JFR.stop", "name=" + RECORDING, "filename=" + file);
                if (Files.isRegularFile(file)) {
                    written++;
                    continue;
                }
                why = "jcmd JFR.stop: " + firstLine(answer);
            } catch (IOException ex) {
                why = ex.getMessage();
            }
            report.accept("no profile of " + prefix + " node " + e.getKey() + ": " + why);
        }
        started.clear();
        if (written > 0) {
            report.accept("profiles of " + prefix + ": " + written + " in " + dir);
        }
    }

    /** Runs the JDK's jcmd on {@code pid} and returns what it printed. */
    private static String jcmd(long pid, String... command) throws IOException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            throw new IOException("this JDK has no " + jcmd);
        }
        List<String> args = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        args.addAll(List.of(command));
        // Into a file, not a pipe: reading a pipe to its end would wait out a jcmd that hangs, timeout or not.
        Path out = Files.createTempFile("rlog-jcmd-", ".txt");
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(JCMD_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("jcmd " + command[0] + " did not finish in " + JCMD_TIMEOUT_S + " s");
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The first line of jcmd's answer after its "PID:" header, e.g. "java.io.IOException: No such process". */
    private static String firstLine(String answer) {
        return answer.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.matches("\\d+:"))
                .findFirst().orElse("no output");
    }
}
