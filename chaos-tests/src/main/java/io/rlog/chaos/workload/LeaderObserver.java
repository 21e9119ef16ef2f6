package io.rlog.chaos.workload;

import io.rlog.chaos.history.Meta;
import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;
import io.rlog.chaos.history.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Asks for the topic's partition leaders every {@link #INTERVAL_MS} and records each change in the history
 * (process {@link Meta#HARNESS}): evidence for the acks=1 rule, and the nemesis's answer to "who leads?".
 */
public final class LeaderObserver implements Runnable {
    static final long INTERVAL_MS = 500;

    private final WorkloadContext ctx;
    private final Admin admin;
    private final Map<Integer, Integer> leaders = new ConcurrentHashMap<>();

    public LeaderObserver(WorkloadContext ctx, Admin admin) {
        this.ctx = ctx;
        this.admin = admin;
    }

    /** The last leader seen for a partition. */
    public OptionalInt leaderOf(int partition) {
        Integer l = leaders.get(partition);
        return l == null || l < 0 ? OptionalInt.empty() : OptionalInt.of(l);
    }

    @Override
    public void run() {
        try {
            while (!ctx.pauseDeliberately(INTERVAL_MS)) {
                observeOnce(ctx.recorder());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One look; a failed one records nothing (it is not evidence either way). */
    public void observeOnce(Recorder recorder) {
        long t0 = recorder.now();
        TopicDescription d;
        try {
            d = admin.describeTopics(List.of(ctx.topic())).allTopicNames()
                    .get(ClientConfigs.API_TIMEOUT_MS, TimeUnit.MILLISECONDS).get(ctx.topic());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        for (TopicPartitionInfo p : d.partitions()) {
            Node leader = p.leader();
            int id = leader == null || leader.isEmpty() ? -1 : leader.id();
            Integer before = leaders.put(p.partition(), id);
            if (before == null || before != id) {
                recorder.complete(Meta.HARNESS, Outcome.OK, t0, null, m -> new Op.LeaderSeen(m, p.partition(), id));
            }
        }
    }
}
