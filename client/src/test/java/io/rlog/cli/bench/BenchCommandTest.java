package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Usage errors are found before anything starts (exit 2, nothing launched). */
class BenchCommandTest {

    /** Runs the rlog command line in this JVM, as `rlog ARGS` would; also used by the bench's run tests. */
    static Run run(String... args) {
        CommandLine cmd = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    record Run(int code, String out, String err) {}

    @Test
    void quickRefusesMatrixOptions(@TempDir Path dir) {
        Run r = run("bench", "--quick", "--acks", "1", "--out", dir.toString());
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("--quick runs its own matrix; drop --acks"), r.err());
    }

    @Test
    void bootstrapRefusesFaultsAndFsync(@TempDir Path dir) {
        Run r = run("bench", "--bootstrap", "127.0.0.1:1", "--fault", "kill-leader", "--out", dir.toString());
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().contains("--fault needs a cluster the bench starts itself"), r.err());
        Run p = run("bench", "--bootstrap", "127.0.0.1:1", "--profile", "--out", dir.toString());
        assertEquals(Main.EXIT_USAGE, p.code());
        assertTrue(p.err().contains("--profile needs a cluster the bench starts itself"), p.err());
    }

    @Test
    void badValuesAreUsageErrors(@TempDir Path dir) {
        assertEquals(Main.EXIT_USAGE, run("bench", "--acks", "2", "--out", dir.toString()).code());
        assertEquals(Main.EXIT_USAGE, run("bench", "--fault", "reboot", "--out", dir.toString()).code());
        assertEquals(Main.EXIT_USAGE, run("bench", "--fault", "kill-leader", "--fault-at-s", "20",
                "--duration-s", "10", "--out", dir.toString()).code());
        assertEquals(Main.EXIT_USAGE, run("bench", "--rf", "5", "--out", dir.toString()).code());
        assertEquals(Main.EXIT_USAGE, run("bench", "--skip-matrix", "--out", dir.toString()).code());
    }

    @Test
    void compareKafkaWithoutTheJarsSaysHowToFetchThem(@TempDir Path dir) {
        Run r = run("bench", "--compare-kafka", "--kafka-libs", dir.resolve("none").toString(),
                "--out", dir.toString());
        assertEquals(Main.EXIT_FAILED, r.code());
        assertTrue(r.err().contains(KafkaCluster.BUILD_HINT), r.err());
    }
}
