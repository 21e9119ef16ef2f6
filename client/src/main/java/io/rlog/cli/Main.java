package io.rlog.cli;

import io.rlog.cli.bench.BenchCommand;
import io.rlog.cli.consume.ConsumeCommand;
import io.rlog.cli.local.LocalCommand;
import io.rlog.cli.produce.ProduceCommand;
import io.rlog.cli.topics.TopicsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The `rlog` command line. Exit codes: 0 done, 1 the operation failed (message on stderr), 2 bad usage.
 * Commands that report a result print it as key=value lines on stdout, the most useful one last.
 */
@Command(name = "rlog", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A Raft-replicated log that speaks the Kafka protocol.",
        subcommands = {ServerCommand.class, LocalCommand.class, TopicsCommand.class, ProduceCommand.class,
            ConsumeCommand.class, io.rlog.cli.groups.GroupsCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        io.rlog.node.CommonPool.widen(); // before anything touches CompletableFuture
        Logging.configure(args.length > 0 && args[0].equals("server"));
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call execute() on it without exiting the JVM. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorReporter());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"rlog " + (v == null ? "(built from source)" : v)};
        }
    }
}
