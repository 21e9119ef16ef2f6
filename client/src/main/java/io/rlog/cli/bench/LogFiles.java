package io.rlog.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.stream.Stream;

/** Small file and process helpers of the bench. */
final class LogFiles {
    private LogFiles() {}

    /** The last {@code lines} lines of a text file, or a note that it cannot be read. */
    static String tail(Path file, int lines) {
        Deque<String> last = new ArrayDeque<>();
        try (Stream<String> all = Files.lines(file, StandardCharsets.UTF_8)) {
            all.forEach(l -> {
                last.addLast(l);
                if (last.size() > lines) {
                    last.removeFirst();
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
        return String.join("\n", last);
    }

    /** The java executable running this JVM, so brokers run on the same runtime as the bench. */
    static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
