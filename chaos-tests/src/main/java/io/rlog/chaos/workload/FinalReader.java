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
 * checks of the partitions it could not finish.
 */
public final class FinalReader {
    private static final Duration POLL = Duration.ofMillis(500);
    /** Between attempts to learn the end offsets while leaders settle; a deliberate back-off. */
    private static final long RETRY_MS = 500;

    private FinalReader() {}

    public static Op.FinalRead read(Recorder recorder, int reader, String bootstrap, String topic, int partitions,
                                    Duration timeout) throws InterruptedException {
        long t0 = recorder.now();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        SortedMap<Integer, Long> ends = new TreeMap<>();
        List<Record> records = new ArrayList<>();
        String error = null;
        KafkaConsumer<String, String> c = new KafkaConsumer<>(ClientConfigs.consumer(bootstrap));
        try {
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
            while (!ends.isEmpty() && !reachedEnds(c, tps, ends) && System.nanoTime() - deadline < 0) {
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
        boolean complete = !ends.isEmpty() && reached(records, ends);
        String err = complete ? null : (error == null ? "deadline passed" : error);
        return recorder.complete(Meta.HARNESS, complete ? Outcome.OK : Outcome.INFO, t0, err,
                m -> new Op.FinalRead(m, reader, ends, records, complete));
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

    /** Every partition's records reach its end offset (the last record is at end - 1, or the partition is empty). */
    private static boolean reached(List<Record> records, Map<Integer, Long> ends) {
        Map<Integer, Long> last = new TreeMap<>();
        records.forEach(r -> last.merge(r.partition(), r.offset(), Math::max));
        return ends.entrySet().stream().allMatch(e -> e.getValue() == 0 || last.getOrDefault(e.getKey(), -1L) >= e.getValue() - 1);
    }
}
