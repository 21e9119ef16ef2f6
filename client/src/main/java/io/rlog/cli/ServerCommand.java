package io.rlog.cli;

import io.rlog.node.RlogServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** `rlog server --config FILE`: runs one node in this JVM until SIGTERM. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run one rlog node in the foreground until SIGTERM (the node's shutdown hook closes it).")
final class ServerCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "node.properties")
    Path config;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(config)) {
            throw new ParameterException(spec.commandLine(), "cannot read config file " + config);
        }
        RlogServer.run(config.toAbsolutePath()); // blocks until the JVM is told to stop
        return Main.EXIT_OK;
    }
}
