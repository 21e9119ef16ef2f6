package io.rlog.it;

import io.rlog.cli.Main;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** The `rlog` command line run in this JVM as a user runs it: what it was given on stdin, what it printed, its exit. */
final class RlogCommand {
    private RlogCommand() {}

    record Run(int exit, String out, String err) {}

    /** Runs `rlog ARGS` with {@code stdin} as its standard input (commands read it when they are built). */
    static Run run(String stdin, String... args) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            int exit = cmd.execute(args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setIn(before);
        }
    }
}
