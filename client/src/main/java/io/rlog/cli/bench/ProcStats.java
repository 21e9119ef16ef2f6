package io.rlog.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Linux /proc readings: a process's resident memory and CPU time, the machine's CPU time. Absent values (no
 * /proc, a process that exited) are empty, never an error: the figures are reported as missing.
 */
final class ProcStats {
    /** USER_HZ, the unit of /proc CPU times; asked of getconf once, 100 on every common Linux. */
    static final long TICKS_PER_S = ticksPerSecond();

    private ProcStats() {}

    /** VmRSS of /proc/PID/status, in KiB. */
    static OptionalLong rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /** utime + stime of /proc/PID/stat (fields 14 and 15), in ticks. */
    static OptionalLong cpuTicks(long pid) {
        try {
            return OptionalLong.of(parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
                    StandardCharsets.US_ASCII)));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * CPU ticks of the process's JIT compiler threads (HotSpot's "C1 CompilerThreadN" and "C2 CompilerThreadN",
     * "C1 CompilerThre" and "C2 CompilerThre" in /proc, which keeps 15 characters). HotSpot retires idle compiler
     * threads, taking their ticks along, so a difference of two readings is at least what was compiled between.
     */
    static OptionalLong compilerTicks(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long ticks = 0;
        try (var threads = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) threads::iterator) {
                try {
                    String comm = Files.readString(t.resolve("comm"), StandardCharsets.US_ASCII).trim();
                    if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                        ticks += parseCpuTicks(Files.readString(t.resolve("stat"), StandardCharsets.US_ASCII));
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread exited meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ticks);
    }

    /** The command name (field 2) may hold spaces and parentheses, so fields are counted after the last ')'. */
    static long parseCpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state), so field 14 (utime) is f[11] and field 15 (stime) is f[12].
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The machine's busy and total CPU ticks from the first line of /proc/stat, summed over every core. */
    static MachineTicks machineTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            return parseMachineTicks(first);
        } catch (IOException | RuntimeException e) {
            return new MachineTicks(0, 0);
        }
    }

    static MachineTicks parseMachineTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        long total = 0;
        // user nice system idle iowait irq softirq steal; guest times are already inside user and nice.
        final int fields = 8;
        for (int i = 1; i <= fields && i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
        return new MachineTicks(total - idle, total);
    }

    record MachineTicks(long busy, long total) {}

    /**
     * Microseconds in which every non-idle task waited for I/O at once: the "full" total of
     * /proc/pressure/io (Linux 4.20+ with PSI). Empty where the kernel does not expose it.
     */
    static OptionalLong ioFullStallMicros() {
        try {
            return parseIoFullStallMicros(Files.readString(Path.of("/proc/pressure/io")));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private static final Pattern FULL_STALL_TOTAL = Pattern.compile("(?m)^full .*\\btotal=(\\d+)");

    static OptionalLong parseIoFullStallMicros(String pressure) {
        Matcher m = FULL_STALL_TOTAL.matcher(pressure);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /**
     * Bytes of the machine's page cache not yet on disk: Dirty plus Writeback of /proc/meminfo. Data a process
     * wrote without fsync sits there until the kernel writes it back, by default up to 30 s later. Empty where
     * /proc/meminfo is absent.
     */
    static OptionalLong unsyncedBytes() {
        try {
            return parseUnsyncedBytes(Files.readString(Path.of("/proc/meminfo")));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private static final Pattern DIRTY_KB = Pattern.compile("(?m)^Dirty:\\s+(\\d+) kB");
    private static final Pattern WRITEBACK_KB = Pattern.compile("(?m)^Writeback:\\s+(\\d+) kB");

    static OptionalLong parseUnsyncedBytes(String meminfo) {
        Matcher dirty = DIRTY_KB.matcher(meminfo);
        Matcher writeback = WRITEBACK_KB.matcher(meminfo);
        if (!dirty.find() || !writeback.find()) {
            return OptionalLong.empty();
        }
        final long bytesPerKb = 1024;
        return OptionalLong.of((Long.parseLong(dirty.group(1)) + Long.parseLong(writeback.group(1))) * bytesPerKb);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    static double ticksToSeconds(long ticks) {
        return ticks / (double) TICKS_PER_S;
    }

    private static long ticksPerSecond() {
        final long linuxDefault = 100;
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return linuxDefault;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            return linuxDefault;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return linuxDefault;
        }
    }
}
