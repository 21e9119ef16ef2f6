package io.rlog.cli.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A fault injected once during a case, then healed; see {@link FaultInjector}. */
public enum Fault {
    NONE("none"),
    /** SIGKILL the node leading partition 0; healed by restarting it on its data. */
    KILL_LEADER("kill-leader"),
    /** SIGKILL every node at once; healed by restarting them all. Shows what an un-fsynced tail loses. */
    KILL_ALL("kill-all"),
    /** SIGSTOP the node leading partition 0; healed by SIGCONT. Its sockets stay open, unlike a kill. */
    PAUSE_LEADER("pause-leader");

    private final String cliName;

    Fault(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static Fault parse(String s) {
        for (Fault f : values()) {
            if (f.cliName.equals(s)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + s + "'; one of "
                + Arrays.stream(values()).map(Fault::cliName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
