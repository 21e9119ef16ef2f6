package io.rlog.chaos.workload;

import io.rlog.chaos.history.Outcome;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Which client errors say "definitely not done" (FAIL) and which leave it open (INFO). When in doubt, INFO: a
 * wrong FAIL would make the checker call a present value a phantom, a wrong INFO only weakens one check.
 */
public final class Errors {
    private Errors() {}

    /** For an exception from a send's callback or a poll: the request may have reached the broker. */
    public static Outcome ofCompletion(Throwable e) {
        Throwable c = unwrap(e);
        if (c instanceof RecordTooLargeException || c instanceof RecordBatchTooLargeException
                || c instanceof InvalidTopicException || c instanceof AuthorizationException
                || c instanceof SerializationException) {
            return Outcome.FAIL; // refused before any byte of it was written
        }
        return Outcome.INFO;
    }

    /**
     * For an exception thrown by {@code send()} itself: the record never reached the accumulator, so it was not
     * sent (a metadata timeout, for example).
     */
    public static Outcome ofSendCall(Throwable e) {
        return Outcome.FAIL;
    }

    public static String describe(Throwable e) {
        Throwable c = unwrap(e);
        String msg = c.getMessage() == null ? "" : ": " + c.getMessage().lines().findFirst().orElse("");
        return c.getClass().getSimpleName() + msg;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable c = e;
        while ((c instanceof java.util.concurrent.ExecutionException
                || c instanceof java.util.concurrent.CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
