package io.rlog.cli.local;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The end of a node's server.log, for error messages. */
final class LogTail {
    /** Reads at most this much of the file's end, so a huge log costs no more than a small one. */
    private static final int BYTES_MAX = 64 * 1024;

    private LogTail() {}

    static String lastLines(Path file, int lines) {
        if (!Files.exists(file)) {
            return "(no log at " + file + ")";
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            int size = (int) Math.min(length, BYTES_MAX);
            byte[] bytes = new byte[size];
            f.seek(length - size);
            f.readFully(bytes);
            List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n", -1));
            int from = Math.max(0, all.size() - lines - 1); // the last element is what follows the final \n
            return String.join("\n", all.subList(from, all.size())).stripTrailing();
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
