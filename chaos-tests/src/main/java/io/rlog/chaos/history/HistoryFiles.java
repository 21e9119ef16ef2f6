package io.rlog.chaos.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a JSON Lines history: an optional header line ({@link RunInfo}), then one operation per line. */
public final class HistoryFiles {
    private HistoryFiles() {}

    public static History read(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString());
        }
    }

    public static History parse(String text) {
        try {
            return read(new StringReader(text), "<text>");
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringReader does not fail
        }
    }

    private static History read(Reader reader, String name) throws IOException {
        RunInfo info = new RunInfo(name, 0, "", Map.of());
        List<Op> ops = new ArrayList<>();
        BufferedReader r = new BufferedReader(reader);
        int lineNo = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNo++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("//")) {
                continue; // fixtures carry comments saying what they show
            }
            try {
                RunInfo header = HistoryCodec.decodeInfo(s);
                if (header != null) {
                    info = header;
                } else {
                    ops.add(HistoryCodec.decode(s));
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + ":" + lineNo + ": " + e.getMessage(), e);
            }
        }
        return new History(info, ops);
    }
}
