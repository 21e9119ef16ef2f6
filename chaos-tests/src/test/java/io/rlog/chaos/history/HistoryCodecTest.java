package io.rlog.chaos.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HistoryCodecTest {

    @Test
    void everyKindOfOperationRoundTripsThroughAFile(@TempDir Path dir) throws Exception {
        RunInfo info = new RunInfo("r1", 42, "kill:one@1000+2000", Map.of("acks", "all"));
        long[] clock = {1_000};
        Path file = dir.resolve("h.jsonl");
        try (Recorder rec = new Recorder(file, info, () -> clock[0])) {
            clock[0] += 50;
            rec.complete(1, Outcome.OK, 10, null, m -> new Op.Send(m, 0, 7, 3, Acks.ALL, true));
            rec.complete(1, Outcome.INFO, 10, "TimeoutException", m -> new Op.Send(m, 1, 8, -1, Acks.ONE, false));
            rec.complete(2, Outcome.OK, 11, null, m -> new Op.Poll(m, List.of(new Record(0, 3, 7))));
            rec.complete(4, Outcome.OK, 11, null, m -> new Op.Poll(m, List.of(new Record(0, 3, 7)), true));
            rec.complete(2, Outcome.OK, 12, null, m -> new Op.Assign(m, new TreeMap<>(Map.of(0, 0L, 1, 5L))));
            rec.complete(2, Outcome.OK, 13, null, m -> new Op.Commit(m, "g", new TreeMap<>(Map.of(0, 4L))));
            rec.complete(-2, Outcome.OK, 14, null, m -> new Op.CommittedRead(m, "g", new TreeMap<>(Map.of(0, 4L))));
            rec.complete(-2, Outcome.OK, 15, null, m -> new Op.FinalRead(m, 1, new TreeMap<>(Map.of(0, 4L)),
                    List.of(new Record(0, 3, 7)), true));
            rec.complete(-2, Outcome.OK, 15, null, m -> new Op.FinalRead(m, 3, new TreeMap<>(Map.of(0, 4L)),
                    List.of(new Record(0, 3, 7)), true, true));
            rec.complete(3, Outcome.OK, 15, null, m -> new Op.Txn(m, "t-0", "commit",
                    List.of(new Op.Txn.Write(0, 9, 5), new Op.Txn.Write(1, 10, -1))));
            rec.complete(3, Outcome.FAIL, 15, "ProducerFencedException", m -> new Op.Txn(m, "t-0", "none",
                    List.of(new Op.Txn.Write(1, 11, 6))));
            rec.complete(-2, Outcome.OK, 16, null, m -> new Op.LeaderSeen(m, 0, 2));
            rec.complete(-1, Outcome.OK, 17, null, m -> new Op.Nemesis(m, "kill", "start", List.of(1, 2), "x"));
            History written = rec.snapshot(info);
            History read = HistoryFiles.read(file);
            assertEquals(written, read);
            assertEquals(50, read.ops().get(0).meta().completeNanos());
        }
    }
}
