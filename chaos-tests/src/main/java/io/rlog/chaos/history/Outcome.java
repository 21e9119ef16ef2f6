package io.rlog.chaos.history;

/**
 * What the client learned about an operation (Jepsen's completion types).
 * <ul>
 *   <li>{@link #OK}: it happened, with the reported result;</li>
 *   <li>{@link #FAIL}: it definitely did not happen (the client never handed it to the network, or the server
 *       refused it before writing);</li>
 *   <li>{@link #INFO}: indeterminate (timeouts, disconnects, NOT_LEADER_OR_FOLLOWER, unknown server errors): it
 *       may or may not have happened, so a checker may neither count it as lost nor as absent.</li>
 * </ul>
 */
public enum Outcome {
    OK, FAIL, INFO;

    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Outcome parse(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
}
