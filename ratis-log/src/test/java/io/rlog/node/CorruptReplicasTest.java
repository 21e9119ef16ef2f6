package io.rlog.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.ratis.protocol.exceptions.ChecksumException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/** Which start failures name a corrupt replica's folder, and only those. */
class CorruptReplicasTest {
    private static final String GROUP = "2c0af95a-936f-309a-821f-f72ad3fa273a";

    @Test
    void aChecksumFailureNamesTheGroupsFolder(@TempDir Path raft) throws IOException {
        Files.createDirectories(raft.resolve(GROUP));
        Files.createDirectories(raft.resolve("05c0544f-7331-30d4-8aa6-1026a033f3f0"));
        Exception failure = new IllegalStateException("n1@group-F72AD3FA273A: Failed to initRaftLog.",
                new IOException("reading segment", new ChecksumException("Log entry corrupted", 42)));
        assertEquals(Optional.of(raft.resolve(GROUP)), CorruptReplicas.folderOf(failure, raft));
    }

    @Test
    void aCorruptStoreIsFoundByItsPath(@TempDir Path raft) throws IOException {
        Files.createDirectories(raft.resolve(GROUP));
        Exception failure = new IOException("cannot open partition store " + raft.resolve(GROUP).resolve("db"),
                new RocksDBException("bad magic", new Status(Status.Code.Corruption, Status.SubCode.None, "x")));
        assertEquals(Optional.of(raft.resolve(GROUP)), CorruptReplicas.folderOf(failure, raft));
    }

    @Test
    void aRocksDbCorruptionCountsAndOtherRocksDbErrorsDoNot() {
        assertTrue(CorruptReplicas.isCorruption(new IOException("cannot open partition store",
                new RocksDBException("bad block", new Status(Status.Code.Corruption, Status.SubCode.None, "x")))));
        assertFalse(CorruptReplicas.isCorruption(new IOException("cannot open partition store",
                new RocksDBException("lock", new Status(Status.Code.IOError, Status.SubCode.None, "x")))));
    }

    @Test
    void otherFailuresAndUnmatchedNamesSetNothingAside(@TempDir Path raft) throws IOException {
        Files.createDirectories(raft.resolve(GROUP));
        Exception full = new IllegalStateException("n1@group-F72AD3FA273A: Failed to initRaftLog.",
                new IOException("No space left on device"));
        assertEquals(Optional.empty(), CorruptReplicas.folderOf(full, raft), "not a corruption");
        Exception elsewhere = new IllegalStateException("n1@group-000000000001: Failed to initRaftLog.",
                new ChecksumException("Log entry corrupted", 7));
        assertEquals(Optional.empty(), CorruptReplicas.folderOf(elsewhere, raft), "no folder of that group");
    }

    @Test
    void settingAsideMovesTheFolderBesideRaft(@TempDir Path data) throws IOException {
        Path folder = Files.createDirectories(data.resolve("raft").resolve(GROUP));
        Files.writeString(folder.resolve("evidence"), "kept");
        Path moved = CorruptReplicas.setAside(folder, data, 1234);
        assertEquals(data.resolve(CorruptReplicas.DIR).resolve(GROUP + "-1234"), moved);
        assertFalse(Files.exists(folder));
        assertEquals("kept", Files.readString(moved.resolve("evidence")));
    }
}
