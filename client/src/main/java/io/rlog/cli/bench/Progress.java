package io.rlog.cli.bench;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The progress line on stderr. On a terminal it is one line redrawn every second, with a bar; otherwise (a log
 * file, a test) it prints a plain line every {@link #PLAIN_EVERY_S} seconds, so logs stay readable.
 * Thread-safe: the case timer and the bench's thread both write.
 */
final class Progress {
    static final int PLAIN_EVERY_S = 5;
    private static final int BAR_WIDTH = 20;

    private final PrintWriter err;
    private final boolean terminal;
    private String current = "";
    private int durationS = 1;
    private boolean lineOpen;

    Progress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    synchronized void caseStarted(int index, int total, String system, CaseSpec spec) {
        current = String.format(Locale.ROOT, "[%d/%d] %-5s %s", index, total, system, spec.label());
        durationS = spec.durationS();
        line(current + "  starting");
    }

    /** Load that is not a case (a warm-up): its ticks carry this label instead of the last case's. */
    synchronized void phase(String label, int durationS) {
        current = label;
        this.durationS = durationS;
    }

    synchronized void tick(SecondSample s) {
        if (s == null) {
            return;
        }
        int at = (int) Math.round(s.atS());
        String text = String.format(Locale.ROOT, "%s  %3d/%ds  %,9.0f rec/s  p99 %s ms%s", current, at, durationS,
                s.recordsPerS(), Double.isNaN(s.sendP99Ms()) ? "-" : String.format(Locale.ROOT, "%.1f", s.sendP99Ms()),
                s.failed() > 0 ? "  failed " + s.failed() : "");
        if (terminal) {
            int filled = Math.min(BAR_WIDTH, at * BAR_WIDTH / Math.max(1, durationS));
            err.print("\r" + text + "  [" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]\u001b[K");
            err.flush();
            lineOpen = true;
        } else if (at % PLAIN_EVERY_S == 0) {
            err.println(text);
            err.flush();
        }
    }

    /** A whole line (a case's result, a cluster starting), below the progress line. */
    synchronized void line(String text) {
        if (terminal && lineOpen) {
            err.print("\r\u001b[K");
        }
        err.println(text);
        err.flush();
        lineOpen = false;
    }
}
