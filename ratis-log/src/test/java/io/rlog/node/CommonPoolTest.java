package io.rlog.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommonPoolTest {
    private final String before = System.getProperty(CommonPool.PARALLELISM_PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(CommonPool.PARALLELISM_PROPERTY);
        } else {
            System.setProperty(CommonPool.PARALLELISM_PROPERTY, before);
        }
    }

    @Test
    void aUsersChoiceIsKept() {
        System.setProperty(CommonPool.PARALLELISM_PROPERTY, "7");
        CommonPool.widen();
        assertEquals("7", System.getProperty(CommonPool.PARALLELISM_PROPERTY));
    }

    @Test
    void unsetItBecomesAtLeastTwoWhereTheDefaultWouldBeLess() {
        System.clearProperty(CommonPool.PARALLELISM_PROPERTY);
        CommonPool.widen();
        String set = System.getProperty(CommonPool.PARALLELISM_PROPERTY);
        if (Runtime.getRuntime().availableProcessors() - 1 < CommonPool.PARALLELISM_MIN) {
            assertEquals("2", set);
        } else {
            assertEquals(null, set, "a machine whose default is wide enough is left alone");
        }
    }

    /** The test JVM starts with the flag (as the launcher sets it), so async steps run on pool threads. */
    @Test
    void inThisJvmAsyncStepsRunOnThePool() throws Exception {
        assertFalse(CommonPool.startsThreadPerTask());
        String thread = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName()).get();
        assertEquals(true, thread.startsWith("ForkJoinPool.commonPool-worker"), thread);
    }
}
