package io.rlog.statemachine;

/** Always-on invariant checks (Java's assert is off by default). A failure is a programmer error. */
public final class Invariants {
    private Invariants() {}

    public static void check(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalStateException("invariant violated: " + String.format(format, args));
        }
    }
}
