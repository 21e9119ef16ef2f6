package io.rlog.statemachine;

import org.slf4j.Logger;

/**
 * Calls into the node from a state machine's Ratis callbacks. An exception out of {@code applyTransaction}
 * stops Ratis 3.3's state machine updater in a state it never leaves: the thread spins and the server's close
 * waits for it forever (seen when a node's executor, shut down first, refused a task while an entry applied).
 * What a listener throws is logged and kept here.
 */
public final class Listeners {
    private Listeners() {}

    public static void tell(Logger log, String what, Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            log.warn("{}: a listener failed: {}", what, e.toString());
        }
    }
}
