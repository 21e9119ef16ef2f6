package io.rlog.chaos;

import io.rlog.chaos.nemesis.FaultKind;
import io.rlog.chaos.nemesis.Schedule;
import io.rlog.chaos.nemesis.ScheduleGenerator;
import io.rlog.chaos.workload.ProducerMode;
import io.rlog.chaos.workload.WorkloadParams;
import io.rlog.cli.local.ChildProcesses;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code rlog chaos}: runs fault schedules against a local cluster (or, with --bootstrap, checks any
 * Kafka-compatible cluster without faults), prints a table of anomalies per run, writes every history and a
 * Markdown report, and ends with {@code runs=N faults=F ops=O anomalies=A}. Exit code 1 when A > 0.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Jepsen-style fault injection with a history checker (see README: chaos tests).")
public final class ChaosCommand implements Callable<Integer> {
    /** How long the shutdown hook waits for the node processes it SIGKILLs to be gone. */
    static final Duration CHILD_EXIT_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--runs", description = "number of runs (default ${DEFAULT-VALUE})")
    int runs = 1;

    @Option(names = "--duration", description = "workload seconds per run (default ${DEFAULT-VALUE})")
    int durationS = 30;

    @Option(names = "--faults", split = ",",
            description = "fault kinds: partition, kill, pause, clients, or none (default: all)")
    List<String> faults = List.of("partition", "kill", "pause", "clients");

    @Option(names = "--bootstrap", description = "check this cluster without faults instead of starting one")
    String bootstrap;

    @Option(names = "--nodes", description = "local cluster size (default ${DEFAULT-VALUE})")
    int nodes = 3;

    @Option(names = "--seed", description = "seed of the first run (run i uses seed+i); default random")
    Long seed;

    @Option(names = "--producers", split = ",",
            description = "producer modes: idempotent, acks-1, acks-0, transactional (default: chosen by the seed)")
    List<String> producers;

    @Option(names = "--out", description = "where histories and report.md go (default chaos-out/<time>)")
    Path out;

    @Option(names = "--groups", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "also run two subscribe-mode consumers of one group that commit after every poll"
                    + " (default; --no-groups leaves them out, e.g. against a cluster without consumer groups)")
    boolean groups;

    @Option(names = "--no-rotate", description = "do not kill the busiest leader between the two final reads")
    boolean noRotate;

    @Override
    public Integer call() throws Exception {
        Set<FaultKind> kinds = kinds();
        if (bootstrap != null && !kinds.isEmpty()) {
            System.err.println("chaos: --bootstrap checks a cluster this tool does not control: no fault injection"
                    + " (pass --faults none, or it is assumed)");
            kinds = Set.of();
        }
        Path dir = out != null ? out : Path.of("chaos-out",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        long first = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        long workloadMs = durationS * 1000L;
        List<RunResult> results = new ArrayList<>();
        // A run's nodes are child processes; told to stop (SIGTERM, SIGINT, `timeout`), this JVM takes them with it
        // rather than leave a cluster running. Their folders stay: they are the evidence beside the histories.
        ChildProcesses.killAllOnExit("rlog-chaos-shutdown", CHILD_EXIT_TIMEOUT);
        System.out.println(Report.header());
        for (int i = 0; i < runs; i++) {
            long s = first + i;
            Schedule schedule = ScheduleGenerator.generate(s, workloadMs, kinds);
            WorkloadParams workload = WorkloadParams.generate(s, groups);
            if (producers != null) {
                workload = workload.withProducers(producers.stream().map(ProducerMode::parse).toList());
            }
            RunSpec spec = new RunSpec("run-" + (i + 1), s, workloadMs, schedule, workload, nodes, bootstrap, dir,
                    !noRotate);
            RunResult r = ChaosRun.run(spec);
            results.add(r);
            System.out.println(Report.row(r));
        }
        long faultCount = results.stream().mapToLong(r -> r.spec().schedule().faults().size()).sum();
        double faultMinutes = results.stream().mapToLong(r -> r.spec().schedule().faultMs()).sum() / 60_000.0;
        long ops = results.stream().mapToLong(r -> r.check().opsChecked()).sum();
        long anomalies = results.stream().mapToLong(Report::anomalyCount).sum();
        String summary = "runs=" + results.size() + " faults=" + faultCount + " ops=" + ops + " anomalies=" + anomalies;
        Path report = dir.resolve("report.md");
        Files.writeString(report, Report.markdown(results, summary, faultMinutes), StandardCharsets.UTF_8);
        System.out.println("histories=" + dir.toAbsolutePath() + " report=" + report.toAbsolutePath()
                + String.format(" fault-minutes=%.1f", faultMinutes));
        System.out.println(summary);
        return anomalies > 0 ? 1 : 0;
    }

    private Set<FaultKind> kinds() {
        Set<FaultKind> out = EnumSet.noneOf(FaultKind.class);
        for (String f : faults) {
            if (!f.isBlank() && !f.equals("none")) {
                out.add(FaultKind.parse(f.equals("partitions") ? "partition" : f));
            }
        }
        return out;
    }

    public static void main(String[] args) {
        // kafka-clients logs every config at INFO; the CLI config keeps stdout for results (as `rlog` does).
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "rlog-cli-logback.xml");
        }
        System.exit(new CommandLine(new ChaosCommand()).execute(args));
    }
}
