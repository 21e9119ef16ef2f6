package io.rlog.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * A partition replica whose files failed their checksums when the node started. Ratis loads every group on the
 * node before it serves any, so one corrupt replica kept the whole node down: every other partition and the
 * metadata group with it. The node sets such a replica's folder aside instead (kept, never deleted) and starts
 * without it; the metadata leader then adds the partition group here again, empty, and it catches up from the
 * partition's other replicas, as a replica on a replaced disk does.
 *
 * <p>Only corruption qualifies: a checksum that does not match in a Raft log or snapshot file, or a RocksDB
 * store that reports corruption. Any other failure (a full disk, a missing permission) stops the node as before,
 * since setting a healthy replica aside would throw away its durable copy. The metadata group is never set
 * aside: it holds the cluster's topics, and an empty replica of it is the operator's decision.
 */
final class CorruptReplicas {
    /** Where set-aside replica folders go, beside the node's raft folder: data.dir/corrupt-replicas. */
    static final String DIR = "corrupt-replicas";
    /** How Ratis names a group in its messages: "group-" and the last 12 hex digits of its UUID. */
    private static final Pattern GROUP = Pattern.compile("group-([0-9A-Fa-f]{12})\\b");

    private CorruptReplicas() {}

    /** Whether some exception in the cause chain reports corrupt data. */
    static boolean isCorruption(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.apache.ratis.protocol.exceptions.ChecksumException
                    || t instanceof org.apache.ratis.io.CorruptedFileException) {
                return true;
            }
            if (t instanceof RocksDBException r && r.getStatus() != null
                    && r.getStatus().getCode() == Status.Code.Corruption) {
                return true;
            }
        }
        return false;
    }

    /**
     * The folder under {@code raftDir} of the one group the failure's messages name (by a path into its folder,
     * or as Ratis names groups), when the failure is a corruption; empty when it is not, or when no single
     * folder matches.
     */
    static Optional<Path> folderOf(Throwable failure, Path raftDir) throws IOException {
        if (!isCorruption(failure) || !Files.isDirectory(raftDir)) {
            return Optional.empty();
        }
        List<Path> folders;
        try (Stream<Path> s = Files.list(raftDir)) {
            folders = s.filter(Files::isDirectory).toList();
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            List<Path> inPath = folders.stream().filter(f -> message.contains(f.getFileName().toString())).toList();
            if (inPath.size() == 1) {
                return Optional.of(inPath.get(0)); // a file of the group named by its path
            }
            Matcher m = GROUP.matcher(message);
            while (m.find()) {
                String suffix = m.group(1).toLowerCase(Locale.ROOT);
                List<Path> named = folders.stream()
                        .filter(f -> f.getFileName().toString().replace("-", "").toLowerCase(Locale.ROOT).endsWith(suffix))
                        .toList();
                if (named.size() == 1) {
                    return Optional.of(named.get(0));
                }
            }
        }
        return Optional.empty();
    }

    /** How many replica folders have been set aside under {@code dataDir} and not yet deleted by an operator. */
    static long count(Path dataDir) {
        Path dir = dataDir.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return -1; // shown as -1: the folder exists but cannot be read
        }
    }

    /** Moves a replica's folder to data.dir/corrupt-replicas/NAME-MILLIS and returns where it went. */
    static Path setAside(Path folder, Path dataDir, long nowMs) throws IOException {
        Path target = dataDir.resolve(DIR).resolve(folder.getFileName() + "-" + nowMs);
        Files.createDirectories(target.getParent());
        return Files.move(folder, target);
    }
}
