package io.rlog.cli.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Properties;

/**
 * What identifies a node process this tool started: its pid AND its start instant. A pid alone may be reused
 * by an unrelated process after the node exits; the pair (pid, start instant) may not, so it is what every
 * signal is checked against (see {@link OwnedProcess}).
 */
public record PidFile(long pid, Instant startInstant) {
    public PidFile {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
        if (startInstant == null) {
            throw new IllegalArgumentException("start instant is required");
        }
    }

    /** Writes atomically, so a reader never sees half a file. */
    public void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("start", startInstant.toString());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "written by rlog local; the node is ours only while pid AND start match");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Empty when the file is absent; an unreadable or malformed file is an error the user must see. */
    public static Optional<PidFile> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            return Optional.of(new PidFile(Long.parseLong(p.getProperty("pid", "")),
                    Instant.parse(p.getProperty("start", ""))));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IOException("malformed pid file " + file + ": " + e.getMessage(), e);
        }
    }
}
