package io.rlog.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** What the figures were measured on, recorded with them. */
record Machine(String host, int cores, long memoryMb, String cpuModel, String os, String java, String loadAtStart,
               Instant startedAt) {

    static Machine detect() {
        return new Machine(readHostName(), Runtime.getRuntime().availableProcessors(), readMemTotalMb(), readCpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                ProcStats.loadAverage(), Instant.now());
    }

    String describe() {
        return cores + " cores (" + cpuModel + "), " + memoryMb + " MB, " + os + ", " + java;
    }

    private static long readMemTotalMb() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    private static String readCpuModel() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown CPU";
    }

    private static String readHostName() {
        List<String> l = lines(Path.of("/etc/hostname"));
        return l.isEmpty() ? "unknown" : l.get(0).trim();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
