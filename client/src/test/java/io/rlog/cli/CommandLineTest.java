package io.rlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.cli.common.ConnectionOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Argument parsing and exit codes of the whole command tree; nothing here needs a cluster. */
class CommandLineTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private static ParseResult leaf(String... args) {
        ParseResult r = Main.commandLine().parseArgs(args);
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return r;
    }

    @Test
    void localStartHasDocumentedDefaultsAndRepeatableSettings() {
        ParseResult r = leaf("local", "start", "--dir", "d", "--set", "a=b", "--set", "c=d=e");
        // Defaults are applied to the command's fields, so they are read from the spec, not the matches.
        assertEquals(3, (int) r.commandSpec().findOption("--nodes").getValue());
        assertEquals(9092, (int) r.commandSpec().findOption("--base-port").getValue());
        assertEquals(60, (int) r.commandSpec().findOption("--timeout-s").getValue());
        assertEquals(Map.of("a", "b", "c", "d=e"), r.matchedOptionValue("--set", Map.of()));
    }

    @Test
    void localStartRejectsBadArgumentsWithUsageExitCode() {
        assertEquals(Main.EXIT_USAGE, run("local", "start", "--dir", dir.toString(), "--nodes", "0"));
        assertTrue(err.toString().contains("nodes must be in 1..9"), err.toString());
        assertEquals(Main.EXIT_USAGE, run("local", "start", "--dir", dir.toString(), "--nodes", "10"));
        assertEquals(Main.EXIT_USAGE, run("local", "start", "--dir", dir.toString(), "--base-port", "80"));
        assertEquals(Main.EXIT_USAGE, run("local", "start", "--dir", dir.toString(), "--set", "node.id=7"));
        assertTrue(err.toString().contains("--set node.id is not allowed"), err.toString());
        assertEquals(Main.EXIT_USAGE, run("local", "start", "--dir", dir.toString(), "--set", "novalue"));
        assertEquals(Main.EXIT_USAGE, run("local", "start", "--nodes", "3"));
        assertTrue(Files.notExists(dir.resolve("cluster.properties")), "a rejected start wrote files");
    }

    @Test
    void localCommandsOnADirectoryWithoutAClusterFail() {
        assertEquals(Main.EXIT_FAILED, run("local", "status", "--dir", dir.toString()));
        assertTrue(err.toString().contains("no local cluster in"), err.toString());
        assertEquals(Main.EXIT_USAGE, run("local", "kill", "--dir", dir.toString()));
    }

    @Test
    void topicsProduceAndConsumeParse() {
        ParseResult create = leaf("topics", "create", "t", "--partitions", "3", "--replication-factor", "3",
                "--config", "retention.ms=1000", "--bootstrap", "h:1");
        assertEquals(List.of("t"), create.matchedPositionals().get(0).stringValues());
        assertEquals((short) 3, (short) create.matchedOptionValue("--replication-factor", (short) 0));
        assertEquals(Map.of("retention.ms", "1000"), create.matchedOptionValue("--config", Map.of()));

        ParseResult produce = leaf("produce", "--topic", "t", "--key-separator", ":", "--acks", "1");
        assertEquals(":", produce.matchedOptionValue("--key-separator", ""));

        ParseResult consume = leaf("consume", "--topic", "t", "--from-beginning", "--print-key",
                "--max-messages", "5", "--timeout-ms", "100", "--bootstrap-server", "h:1");
        assertTrue(consume.hasMatchedOption("--from-beginning"));
        assertEquals(5L, (long) consume.matchedOptionValue("--max-messages", 0L));
    }

    @Test
    void missingOrWrongArgumentsAreUsageErrors() {
        assertEquals(Main.EXIT_USAGE, run());
        assertEquals(Main.EXIT_USAGE, run("topics", "create"));
        assertEquals(Main.EXIT_USAGE, run("produce"));
        assertEquals(Main.EXIT_USAGE, run("produce", "--topic", "t", "--acks", "2"));
        assertEquals(Main.EXIT_USAGE, run("consume", "--topic", "t", "--max-messages", "0"));
        assertEquals(Main.EXIT_USAGE, run("server", "--config", dir.resolve("missing.properties").toString()));
        assertEquals(Main.EXIT_OK, run("--help"));
    }

    @Test
    void bootstrapComesFromTheFlagThenTheClusterDirectoryThenTheDefault() throws Exception {
        Files.writeString(dir.resolve("cluster.properties"), "bootstrap.servers=127.0.0.1:20000,127.0.0.1:20001\n");
        assertEquals("h:1", connection("--bootstrap", "h:1", "--dir", dir.toString()).bootstrapServers());
        assertEquals("127.0.0.1:20000,127.0.0.1:20001", connection("--dir", dir.toString()).bootstrapServers());
        assertEquals(ConnectionOptions.DEFAULT_BOOTSTRAP, connection().bootstrapServers());
        assertEquals("50", connection("--property", "linger.ms=50").clientConfig("x", Map.of("linger.ms", 5))
                .get("linger.ms"), "--property wins over the command's defaults");
    }

    private static ConnectionOptions connection(String... args) {
        ConnectionOptions options = new ConnectionOptions();
        new CommandLine(new Holder(options)).parseArgs(args);
        return options;
    }

    @CommandLine.Command
    static final class Holder {
        @CommandLine.Mixin
        final ConnectionOptions options;

        Holder(ConnectionOptions options) {
            this.options = options;
        }
    }

    @Test
    void errorsFromKafkaFuturesAreUnwrapped() {
        Exception inner = new IllegalStateException("boom");
        assertEquals(inner, ErrorReporter.unwrap(new java.util.concurrent.ExecutionException(inner)));
    }
}
