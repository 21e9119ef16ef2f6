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
            String failure = jcmd(pid, "JFR.start", "name=" + RECORDING, "settings=profile");
            if (failure == null) {
                started.put(node, pid);
            } else {
                report.accept("no profile of " + prefix + " node " + node + ": " + failure);
            }
        });
    }

    /** Writes and ends every recording started; returns the files written. */
    List<Path> stop() {
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            report.accept("no profiles for " + prefix + ": cannot create " + dir + ": " + e.getMessage());
            return written;
        }
        started.forEach((node, pid) -> {
            Path file = dir.resolve(prefix + "-node" + node + ".jfr").toAbsolutePath();
            String failure = jcmd(pid, "JFR.stop", "name=" + RECORDING, "filename=" + file);
            if (failure == null && Files.isRegularFile(file)) {
                written.add(file);
            } else {
                report.accept("no profile of " + prefix + " node " + node + ": "
                        + (failure != null ? failure : "jcmd wrote no " + file));
            }
        });
        started.clear();
        if (!written.isEmpty()) {
            report.accept("profiles of " + prefix + ": " + written.size() + " in " + dir);
        }
        return written;
    }

    /** Runs the JDK's jcmd on {@code pid}; null when it succeeded, else why not. */
    private static String jcmd(long pid, String... command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return "this JDK has no " + jcmd;
        }
        List<String> args = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        args.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(JCMD_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "jcmd " + String.join(" ", command) + " did not finish in " + JCMD_TIMEOUT_S + " s";
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            // jcmd exits 0 even when the command itself failed (no such recording): look at what it said.
            if (p.exitValue() != 0 || text.contains("Exception") || text.contains("Could not")
                    || text.contains("No available recording") || text.contains("not find")) {
                return "jcmd " + String.join(" ", command) + " (exit " + p.exitValue() + "): " + firstProblem(text);
            }
            return null;
        } catch (IOException e) {
            return "jcmd failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The first line of jcmd's answer that is not its "PID:" header, e.g. "java.io.IOException: No such process". */
    private static String firstProblem(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.matches("\\d+:"))
                .findFirst().orElse("no output");
    }
}
