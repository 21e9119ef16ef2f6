package io.rlog.cli.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The processes this JVM started, directly or through them. For tools whose nodes must not outlive them
 * (`rlog bench`, `rlog chaos`): from a shutdown hook, what is still running when the tool is told to stop is
 * SIGKILLed, so no node keeps its ports, its CPU or a folder that is about to be deleted.
 */
public final class ChildProcesses {
    private ChildProcesses() {}

    /**
     * SIGKILLs every live descendant of this JVM and waits up to {@code wait} in all for them to be gone.
     *
     * @return the processes still alive when the wait ran out (empty when all are gone)
     */
    public static List<ProcessHandle> killAll(Duration wait) throws InterruptedException {
        List<ProcessHandle> left = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        left.forEach(ProcessHandle::destroyForcibly);
        return awaitExit(left, wait);
    }

    /** Waits up to {@code wait} in all for these processes to exit; returns those still alive then. */
    public static List<ProcessHandle> awaitExit(List<ProcessHandle> processes, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<ProcessHandle> alive = new ArrayList<>();
        for (ProcessHandle p : processes) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                alive.add(p);
            }
        }
        return alive;
    }

    /** A shutdown hook that {@link #killAll}s, for a tool with nothing else to stop. */
    public static Thread killAllOnExit(String name, Duration wait) {
        Thread hook = new Thread(() -> {
            try {
                for (ProcessHandle p : killAll(wait)) {
                    System.err.println(name + ": process " + p.pid() + " did not exit after SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }
}
