package io.rlog.cli.common;

import io.rlog.cli.Main;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/** A subcommand that opens an Admin client, runs, and closes it (rlog topics ..., rlog groups ...). */
public abstract class AdminSubcommand implements Callable<Integer> {
    /** Bounds every admin call, so a command against a dead cluster fails instead of hanging. */
    public static final int API_TIMEOUT_MS = 30_000;

    @Spec
    protected CommandSpec spec;

    @Mixin
    protected ConnectionOptions connection;

    /** The Kafka client id, naming the command family in the cluster's logs. */
    protected abstract String clientId();

    protected abstract void run(Admin admin, PrintWriter out) throws Exception;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> defaults = Map.of("default.api.timeout.ms", API_TIMEOUT_MS,
                "request.timeout.ms", API_TIMEOUT_MS / 2);
        try (Admin admin = Admin.create(connection.clientConfig(clientId(), defaults))) {
            run(admin, spec.commandLine().getOut());
        }
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
