package io.rlog.statemachine;

import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Snapshots that are directories ({@code sm/snapshot.TERM_INDEX/...}), such as a RocksDB checkpoint.
 * Ratis sends every listed file to a follower that fell behind the leader's purged log, writes them into a
 * fresh {@code sm/} folder and calls {@code reinitialize()}: so the live data must live outside {@code sm/}
 * ({@link #liveDir(String)}) and be rebuilt from the newest snapshot there.
 *
 * <p>The {@code .md5} files Ratis writes beside received files are not part of a snapshot.
 */
public final class CheckpointStorage implements StateMachineStorage {

    private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");

    private volatile File root;
    private volatile File smDir;
    private volatile SnapshotInfo latest;

    @Override
    public void init(RaftStorage storage) throws IOException {
        root = storage.getStorageDir().getRoot();
        smDir = storage.getStorageDir().getStateMachineDir();
        Files.createDirectories(smDir.toPath());
        latest = scan();
    }

    /** A folder beside {@code sm/} in this group's storage, for state that snapshot install must not touch. */
    public Path liveDir(String name) {
        return root.toPath().resolve(name);
    }

    /** Where the snapshot for {@code ti} is written; the caller creates it (it must not exist yet). */
    public Path snapshotPath(TermIndex ti) {
        return smDir.toPath().resolve("snapshot." + ti.getTerm() + "_" + ti.getIndex());
    }

    /** Re-reads {@code sm/} after a snapshot was written or installed. */
    public SnapshotInfo refresh() {
        latest = scan();
        return latest;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latest;
    }

    /** The folder holding the newest snapshot, if any. */
    public Path latestPath() {
        SnapshotInfo s = latest;
        return s == null ? null : snapshotPath(s.getTermIndex());
    }

    @Override
    public void format() {
        // Nothing to prepare: sm/ is created in init.
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        int keep = Math.max(1, policy.getNumSnapshotsRetained());
        List<Path> dirs = snapshotDirs();
        for (int i = 0; i < dirs.size() - keep; i++) {
            deleteRecursively(dirs.get(i));
        }
    }

    private SnapshotInfo scan() {
        List<Path> dirs = snapshotDirs();
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Path dir = dirs.get(i);
            Matcher m = NAME.matcher(dir.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            List<FileInfo> files = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".md5")).sorted()
                        .forEach(p -> files.add(new FileInfo(p.toAbsolutePath(), null)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!files.isEmpty()) {
                return new FileListSnapshotInfo(files, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            }
        }
        return null;
    }

    /** Snapshot folders, oldest index first. */
    private List<Path> snapshotDirs() {
        File[] children = smDir.listFiles();
        List<Path> dirs = new ArrayList<>();
        if (children != null) {
            for (File f : children) {
                if (f.isDirectory() && NAME.matcher(f.getName()).matches()) {
                    dirs.add(f.toPath());
                }
            }
        }
        dirs.sort(Comparator.comparingLong(p -> {
            Matcher m = NAME.matcher(p.getFileName().toString());
            m.matches();
            return Long.parseLong(m.group(2));
        }));
        return dirs;
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Makes {@code target} a copy of checkpoint folder {@code source}: SST files are immutable and hard-linked,
     * everything else (MANIFEST, CURRENT, OPTIONS), which RocksDB appends to or replaces, is copied. The files of
     * the {@code linkedDirs} subfolders are hard-linked too: their owner never writes a restored file again (a
     * partition's batch files).
     */
    public static void restoreCheckpoint(Path source, Path target, String... linkedDirs) throws IOException {
        deleteRecursively(target);
        Files.createDirectories(target);
        for (String dir : linkedDirs) {
            Path from = source.resolve(dir);
            if (!Files.isDirectory(from)) {
                continue;
            }
            Path to = Files.createDirectories(target.resolve(dir));
            try (Stream<Path> list = Files.list(from)) {
                for (Path p : list.toList()) {
                    if (Files.isRegularFile(p) && !p.getFileName().toString().endsWith(".md5")) {
                        linkOrCopy(p, to.resolve(p.getFileName()));
                    }
                }
            }
        }
        try (Stream<Path> list = Files.list(source)) {
            for (Path p : list.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".md5") || !Files.isRegularFile(p)) {
                    continue;
                }
                Path dst = target.resolve(name);
                if (name.endsWith(".sst")) {
                    linkOrCopy(p, dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        }
    }

    /** A hard link of {@code source} at {@code target}, or a copy where links cannot be made (another file system). */
    public static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(source, target);
        }
    }
}
