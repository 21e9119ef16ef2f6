package io.rlog.cli.local;

import io.rlog.cli.common.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A live process proven to be the one a {@link PidFile} names: same pid and same start instant. Only
 * {@link #verify} makes one, and every signal re-checks the identity first, so this tool never signals a
 * process that merely reuses a node's old pid. (A pid cannot be reused between the re-check and the signal
 * unless the node exits and the kernel cycles through the whole pid space in that instant.)
 */
public final class OwnedProcess {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final long KILL_COMMAND_TIMEOUT_S = 10;

    private final ProcessHandle handle;
    private final PidFile record;

    private OwnedProcess(ProcessHandle handle, PidFile record) {
        this.handle = handle;
        this.record = record;
    }

    /** The process if {@code record} names a live process with the recorded start instant, else empty. */
    public static Optional<OwnedProcess> verify(PidFile record) {
        return ProcessHandle.of(record.pid())
                .filter(h -> matches(h, record))
                .map(h -> new OwnedProcess(h, record));
    }

    /** Why {@code record} names no live process of ours; for reporting a stale pid file. */
    public static String whyStale(PidFile record) {
        Optional<ProcessHandle> h = ProcessHandle.of(record.pid());
        if (h.isEmpty() || !h.get().isAlive() || isZombie(record.pid())) {
            return "pid " + record.pid() + " has exited";
        }
        return "pid " + record.pid() + " now belongs to a process started at "
                + h.get().info().startInstant().map(Instant::toString).orElse("an unknown time")
                + ", not the recorded " + record.startInstant();
    }

    public long pid() {
        return record.pid();
    }

    /** Whether the process is still the recorded one and has not exited. */
    public boolean isAlive() {
        return matches(handle, record);
    }

    public NodeState state() {
        if (!isAlive()) {
            return NodeState.STOPPED;
        }
        char s = procState(record.pid());
        return s == 'T' || s == 't' ? NodeState.PAUSED : NodeState.RUNNING;
    }

    /** SIGTERM: the node's shutdown hook closes it cleanly. */
    public void terminate() {
        if (isAlive()) {
            handle.destroy();
        }
    }

    /** SIGKILL. */
    public void kill() {
        if (isAlive()) {
            handle.destroyForcibly();
        }
    }

    /** SIGSTOP; Java has no API for it, so this runs kill(1) on the verified pid. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return Poll.until(() -> !isAlive(), timeout, POLL_INTERVAL);
    }

    public boolean awaitState(NodeState wanted, Duration timeout) throws InterruptedException {
        return Poll.until(() -> state() == wanted, timeout, POLL_INTERVAL);
    }

    private void signal(String name) throws IOException, InterruptedException {
        if (!isAlive()) {
            throw new IllegalStateException("pid " + record.pid() + " is no longer the node this tool started");
        }
        Process p = new ProcessBuilder(killCommand(), "-" + name, Long.toString(record.pid()))
                .redirectErrorStream(true)
                .start();
        if (!p.waitFor(KILL_COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("kill -" + name + " " + record.pid() + " did not finish");
        }
        if (p.exitValue() != 0) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            throw new IOException("kill -" + name + " " + record.pid() + " failed: " + out);
        }
    }

    private static String killCommand() {
        for (String path : new String[] {"/bin/kill", "/usr/bin/kill"}) {
            if (Files.isExecutable(Path.of(path))) {
                return path;
            }
        }
        return "kill"; // found on PATH by ProcessBuilder
    }

    private static boolean matches(ProcessHandle h, PidFile record) {
        // A zombie has exited: it only waits for its parent to reap it, which for a node whose launcher
        // has exited is init, and some container inits never do.
        return h.isAlive()
                && h.info().startInstant().filter(record.startInstant()::equals).isPresent()
                && !isZombie(record.pid());
    }

    private static boolean isZombie(long pid) {
        char s = procState(pid);
        return s == 'Z' || s == 'X';
    }

    /**
     * The state letter of /proc/PID/stat (R, S, D, T, t, Z, X...), or '?' where there is no /proc. The
     * command name before it is in parentheses and may itself hold spaces and parentheses, hence lastIndexOf.
     */
    static char procState(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');
            return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        } catch (IOException e) {
            return '?';
        }
    }
}
