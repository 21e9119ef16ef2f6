package io.rlog.cli.local;

import io.rlog.cli.Main;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * `rlog local ...`: a cluster of node JVMs on loopback, controlled through {@link LocalCluster}. Every
 * subcommand reports key=value lines on stdout; notices (stale pid files, SIGKILL after a slow stop) go to
 * stderr.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run and control a cluster of rlog nodes on this machine (loopback only).",
        subcommands = {LocalCommand.Start.class, LocalCommand.Stop.class, LocalCommand.Status.class,
            LocalCommand.Kill.class, LocalCommand.Pause.class, LocalCommand.Resume.class,
            LocalCommand.Restart.class})
public final class LocalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** The options every subcommand has. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the cluster's directory")
        Path dir;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        LaunchOptions launchOptions() {
            return LaunchOptions.defaults();
        }

        LocalCluster open() throws java.io.IOException {
            return LocalCluster.open(dir, launchOptions(), spec.commandLine().getErr()::println);
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Start N nodes in the background and wait until every one is healthy.",
                "Ports for node K (1..N): kafka P+K-1, raft P+100+K-1, http P+200+K-1.",
                "The last line of stdout is bootstrap.servers=..."})
    static final class Start extends Base {
        @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "1..9 (default: ${DEFAULT-VALUE})")
        int nodes;

        @Option(names = "--base-port", paramLabel = "P", defaultValue = "" + PortScheme.DEFAULT_BASE_PORT,
                description = "first kafka port (default: ${DEFAULT-VALUE})")
        int basePort;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "extra node.properties line for every node; repeatable")
        Map<String, String> settings = new LinkedHashMap<>();

        @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "60",
                description = "how long to wait for every node's /health (default: ${DEFAULT-VALUE})")
        int timeoutS;

        @Override
        public Integer call() throws Exception {
            PortScheme ports;
            try {
                ports = new PortScheme(basePort, nodes);
                ClusterFiles.validateSettings(settings);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (timeoutS <= 0) {
                throw new ParameterException(spec.commandLine(), "--timeout-s must be positive");
            }
            spec.commandLine().getErr().println("starting " + nodes + " nodes in " + dir + " ...");
            LocalCluster cluster = LocalCluster.start(dir, ports, settings,
                    launchOptions().withStartTimeout(Duration.ofSeconds(timeoutS)), spec.commandLine().getErr()::println);
            // Not closed: the nodes must outlive this command.
            for (NodeStatus s : cluster.status()) {
                out().println(s.toLine());
            }
            out().println("bootstrap.servers=" + cluster.bootstrapServers());
            return Main.EXIT_OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "SIGTERM every node, then SIGKILL those still running after --timeout-s.")
    static final class Stop extends Base {
        @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "20",
                description = "how long a node may take to exit after SIGTERM (default: ${DEFAULT-VALUE})")
        int timeoutS;

        @Override
        LaunchOptions launchOptions() {
            return LaunchOptions.defaults().withStopTimeout(Duration.ofSeconds(Math.max(0, timeoutS)));
        }

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = open();
            cluster.stop();
            for (NodeStatus s : cluster.status()) {
                out().println(s.toLine());
            }
            out().println("stopped=" + cluster.nodeCount());
            return Main.EXIT_OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "One line per node: id, pid, running/paused/stopped, ports, health.")
    static final class Status extends Base {
        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = open();
            for (NodeStatus s : cluster.status()) {
                out().println(s.toLine());
            }
            out().println("bootstrap.servers=" + cluster.bootstrapServers());
            return Main.EXIT_OK;
        }
    }

    /** A subcommand acting on one node. */
    abstract static class OneNode extends Base {
        @Option(names = "--node", required = true, paramLabel = "K", description = "the node's id, 1..N")
        int node;

        abstract void act(LocalCluster cluster) throws Exception;

        @Override
        public Integer call() throws Exception {
            LocalCluster cluster = open();
            if (node < 1 || node > cluster.nodeCount()) {
                throw new ParameterException(spec.commandLine(),
                        "--node must be in 1.." + cluster.nodeCount() + ", got " + node);
            }
            act(cluster);
            out().println(cluster.status().get(node - 1).toLine());
            return Main.EXIT_OK;
        }
    }

    @Command(name = "kill", mixinStandardHelpOptions = true, description = "SIGKILL one node.")
    static final class Kill extends OneNode {
        @Override
        void act(LocalCluster cluster) throws Exception {
            cluster.kill(node);
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "SIGSTOP one node.")
    static final class Pause extends OneNode {
        @Override
        void act(LocalCluster cluster) throws Exception {
            cluster.pause(node);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "SIGCONT one paused node.")
    static final class Resume extends OneNode {
        @Override
        void act(LocalCluster cluster) throws Exception {
            cluster.resume(node);
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true,
            description = "Start one node again on its data and config (stopping it first if it runs); "
                    + "waits for its health.")
    static final class Restart extends OneNode {
        @Option(names = "--timeout-s", paramLabel = "S", defaultValue = "60",
                description = "how long to wait for the node's /health (default: ${DEFAULT-VALUE})")
        int timeoutS;

        @Override
        LaunchOptions launchOptions() {
            return LaunchOptions.defaults().withStartTimeout(Duration.ofSeconds(Math.max(1, timeoutS)));
        }

        @Override
        void act(LocalCluster cluster) throws Exception {
            cluster.restart(node);
        }
    }
}
