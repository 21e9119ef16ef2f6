package io.rlog.chaos.history;

/**
 * What every operation has.
 *
 * @param index         position in the history, in completion order (0, 1, ...)
 * @param process       the client instance (a crashed producer or consumer comes back as a new process);
 *                      the nemesis is process -1, the harness itself -2
 * @param outcome       see {@link Outcome}
 * @param invokeNanos   when the operation started, nanoseconds since the run started
 * @param completeNanos when its outcome was known; {@code >= invokeNanos}
 * @param error         the exception or error code of a FAIL or INFO, else null
 */
public record Meta(long index, int process, Outcome outcome, long invokeNanos, long completeNanos, String error) {
    public static final int NEMESIS = -1;
    public static final int HARNESS = -2;

    public Meta {
        if (completeNanos < invokeNanos) {
            throw new IllegalArgumentException("op " + index + " completes at " + completeNanos
                    + " before it is invoked at " + invokeNanos);
        }
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }
}
