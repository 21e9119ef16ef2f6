package io.rlog.chaos.workload;

import io.rlog.chaos.history.Meta;
import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;
import io.rlog.chaos.history.Record;
import io.rlog.chaos.history.Recorder;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The final read after healing: a fresh consumer (its own connections and metadata) learns every partition's
 * end offset, then reads every partition from offset 0 to that end. Bounded by a deadline; a read that does
 * not reach every end is recorded with {@code complete=false}, and the checker then skips the durability
 * checks of the partitions it could not finish. {@link #readCommitted} reads at read_committed, after waiting for
 * every transaction to end.
 */
public final class FinalReader {
    private static final Duration POLL = Duration.ofMillis(500);
    /** Between attempts to learn the end offsets while leaders settle; a deliberate back-off. */
    private static final long RETRY_MS = 500;

    private FinalReader() {}

    public static Op.FinalRead read(Recorder recorder, int reader, String bootstrap, String topic, int partitions,
                                    Duration timeout) throws InterruptedException {
        return read(recorder, reader, bootstrap, topic, partitions, timeout, false);
    }

    /**
     * The same read at {@code isolation.level=read_committed}. It first waits (within the same bound) until every
     * partition's last stable offset equals its log end, so that no transaction is open and every committed record
     * is below the offsets it reads to; the producers have stopped by then, so only the coordinator's aborts of
     * abandoned transactions (timeout plus its sweep, about 20 s at most) can still move them. If {@code timeout}
     * passes first, it reads up to the last stable offsets it saw, and the checker finds them below the log end
     * (hanging-transaction). The read itself is then bounded by {@code timeout} again.
     */
    public static Op.FinalRead readCommitted(Recorder recorder, int reader, String bootstrap, String topic,
                                             int partitions, Duration timeout) throws InterruptedException {
        return read(recorder, reader, bootstrap, topic, partitions, timeout, true);
    }

    private static Op.FinalRead read(Recorder recorder, int reader, String bootstrap, String topic, int partitions,
                                     Duration timeout, boolean readCommitted) throws InterruptedException {
        long t0 = recorder.now();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        SortedMap<Integer, Long> ends = new TreeMap<>();
        List<Record> records = new ArrayList<>();
        String error = null;
        String unstable = null;
        boolean reached = false;
        KafkaConsumer<String, String> c = new KafkaConsumer<>(readCommitted
                ? ClientConfigs.readCommittedConsumer(bootstrap) : ClientConfigs.consumer(bootstrap));
        try {
            if (readCommitted) {
                unstable = awaitStable(c, bootstrap, tps, ends, deadline);
                deadline = System.nanoTime() + timeout.toNanos(); // the read itself gets the whole bound again
            }
            while (ends.isEmpty() && System.nanoTime() - deadline < 0) {
                try {
                    c.endOffsets(tps, Duration.ofMillis(ClientConfigs.API_TIMEOUT_MS))
                            .forEach((tp, end) -> ends.put(tp.partition(), end));
                } catch (RuntimeException e) {
                    error = Errors.describe(e);
                    Thread.sleep(RETRY_MS); // deliberate back-off between bounded attempts, not synchronization
                }
            }
            c.assign(tps);
            tps.forEach(tp -> c.seek(tp, 0));
            while (!ends.isEmpty() && System.nanoTime() - deadline < 0) {
                if (reachedEnds(c, tps, ends)) {
                    reached = true;
                    break;
                }
                try {
                    for (ConsumerRecord<String, String> r : c.poll(POLL)) {
                        records.add(new Record(r.partition(), r.offset(), Long.parseLong(r.value())));
                    }
                } catch (RuntimeException e) {
                    error = Errors.describe(e);
                }
            }
        } finally {
            c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
        // The consumer's positions, not the last record read: a partition written by transactions ends with a
        // commit or abort marker, a control record that no consumer returns (and read_committed skips aborted ones).
        boolean complete = !ends.isEmpty() && reached;
        String err = complete ? unstable : (error == null ? (unstable == null ? "deadline passed" : unstable) : error);
        return recorder.complete(Meta.HARNESS, complete ? Outcome.OK : Outcome.INFO, t0, err,
                m -> new Op.FinalRead(m, reader, ends, records, complete, readCommitted));
    }

    /**
     * Waits until the read_committed consumer's end offsets (the last stable offsets) equal a read_uncommitted
     * consumer's (the log ends), then puts them in {@code ends}. At the deadline it puts the last stable offsets
     * it saw and returns what it saw, else null.
     */
    private static String awaitStable(KafkaConsumer<String, String> committed, String bootstrap,
                                      List<TopicPartition> tps, Map<Integer, Long> ends, long deadline)
            throws InterruptedException {
        Map<TopicPartition, Long> stable = Map.of();
        Map<TopicPartition, Long> logEnd = Map.of();
        try (KafkaConsumer<String, String> u = new KafkaConsumer<>(ClientConfigs.consumer(bootstrap))) {
            while (System.nanoTime() - deadline < 0) {
                try {
                    stable = committed.endOffsets(tps, Duration.ofMillis(ClientConfigs.API_TIMEOUT_MS));
                    logEnd = u.endOffsets(tps, Duration.ofMillis(ClientConfigs.API_TIMEOUT_MS));
                    if (stable.equals(logEnd)) {
                        stable.forEach((tp, end) -> ends.put(tp.partition(), end));
                        return null;
                    }
                } catch (RuntimeException e) {
                    // leaders may still be settling; try again until the deadline
                }
                Thread.sleep(RETRY_MS); // deliberate back-off between bounded attempts, not synchronization
            }
        }
        stable.forEach((tp, end) -> ends.put(tp.partition(), end));
        return "last stable offsets " + byPartition(stable) + " still below the log ends " + byPartition(logEnd);
    }

    private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> m) {
        Map<Integer, Long> out = new TreeMap<>();
        m.forEach((tp, o) -> out.put(tp.partition(), o));
        return out;
    }

    private static boolean reachedEnds(KafkaConsumer<String, String> c, List<TopicPartition> tps,
                                       Map<Integer, Long> ends) {
        for (TopicPartition tp : tps) {
            try {
                if (c.position(tp, Duration.ofMillis(ClientConfigs.API_TIMEOUT_MS)) < ends.get(tp.partition())) {
                    return false;
                }
            } catch (RuntimeException e) {
                return false;
            }
        }
        return true;
    }
}
