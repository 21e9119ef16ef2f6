package io.rlog.cli;

/** A command could not do what was asked, for a reason its message states fully (no stack trace needed). */
public class CommandFailedException extends RuntimeException {
    public CommandFailedException(String message) {
        super(message);
    }
}
