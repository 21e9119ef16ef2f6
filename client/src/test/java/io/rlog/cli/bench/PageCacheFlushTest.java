package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flush the bench runs before every case: the real {@code sync -f}, on a real folder and on a missing one. */
class PageCacheFlushTest {

    @Test
    void writesOutTheFileSystemOfAFolder(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("data"), new byte[1 << 20]);
        assertNull(WorkloadRunner.flush(dir, Duration.ofSeconds(60)));
    }

    @Test
    void aFolderThatIsNotThereIsReportedNotThrown(@TempDir Path dir) throws Exception {
        String failure = WorkloadRunner.flush(dir.resolve("missing"), Duration.ofSeconds(60));
        assertTrue(failure != null && failure.startsWith("sync -f exited with "), String.valueOf(failure));
    }
}
