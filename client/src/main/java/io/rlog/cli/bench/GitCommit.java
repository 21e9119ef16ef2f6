package io.rlog.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The commit the checkout holding a path is at, read from .git without running git; for the results' record. */
final class GitCommit {
    private GitCommit() {}

    static Optional<String> of(Path inside) {
        for (Path d = inside.toAbsolutePath(); d != null; d = d.getParent()) {
            Path git = d.resolve(".git");
            if (Files.isDirectory(git)) {
                return read(git);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> read(Path git) {
        try {
            String head = Files.readString(git.resolve("HEAD")).trim();
            if (!head.startsWith("ref: ")) {
                return Optional.of(head);
            }
            String ref = head.substring("ref: ".length());
            Path loose = git.resolve(ref);
            if (Files.exists(loose)) {
                return Optional.of(Files.readString(loose).trim());
            }
            for (String line : Files.readAllLines(git.resolve("packed-refs"))) {
                if (line.endsWith(" " + ref)) {
                    return Optional.of(line.substring(0, line.indexOf(' ')));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
