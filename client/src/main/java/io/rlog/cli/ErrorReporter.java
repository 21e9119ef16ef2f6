package io.rlog.cli;

import io.rlog.cli.local.LocalClusterException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception from a command into one stderr line (or a few, for a node's log tail) and exit code 1.
 * Stack traces are for bugs: they are printed for exceptions that are not operating errors, or for every
 * exception when RLOG_DEBUG is set.
 */
final class ErrorReporter implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        Throwable cause = unwrap(e);
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": error: " + describe(cause));
        if (System.getenv("RLOG_DEBUG") != null || !isOperatingError(cause)) {
            cause.printStackTrace(cmd.getErr());
        }
        cmd.getErr().flush();
        return Main.EXIT_FAILED;
    }

    /** Kafka's futures wrap the useful exception once or twice. */
    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String describe(Throwable t) {
        if (t instanceof LocalClusterException || t instanceof CommandFailedException) {
            return t.getMessage();
        }
        String text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        // Kafka wraps the reason ("Failed to create new KafkaAdminClient"): name the innermost cause too.
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? text : text + " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    private static boolean isOperatingError(Throwable t) {
        return t instanceof LocalClusterException
                || t instanceof CommandFailedException
                || t instanceof org.apache.kafka.common.KafkaException
                || t instanceof java.io.IOException
                || t instanceof InterruptedException
                || t instanceof IllegalArgumentException;
    }
}
