package io.rlog.chaos;

import io.rlog.chaos.history.Recorder;
import io.rlog.chaos.workload.ClientConfigs;
import io.rlog.chaos.workload.LeaderObserver;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Topic set-up and leader waits, each bounded; the waits poll the cluster deliberately between attempts. */
final class Topics {
    private static final long RETRY_MS = 300;

    private Topics() {}

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ClientConfigs.API_TIMEOUT_MS);
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        return Admin.create(p);
    }

    static void create(Admin admin, String topic, int partitions, int replicas) throws Exception {
        long deadline = System.nanoTime() + ChaosRun.SETTLE_TIMEOUT.toNanos();
        while (true) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) replicas))).all()
                        .get(ClientConfigs.API_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
            Thread.sleep(RETRY_MS); // deliberate back-off between bounded attempts
        }
    }

    static void awaitLeaders(LeaderObserver observer, Recorder rec, int partitions, Duration timeout)
            throws InterruptedException {
        awaitLeadersOtherThan(observer, rec, partitions, -1, timeout);
    }

    /** Waits until every partition has a leader that is not {@code excluded}; gives up silently at the bound. */
    static void awaitLeadersOtherThan(LeaderObserver observer, Recorder rec, int partitions, int excluded,
                                      Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            observer.observeOnce(rec);
            boolean all = true;
            for (int p = 0; p < partitions; p++) {
                OptionalInt l = observer.leaderOf(p);
                all &= l.isPresent() && l.getAsInt() != excluded;
            }
            if (all) {
                return;
            }
            Thread.sleep(RETRY_MS); // deliberate back-off between bounded attempts
        }
    }

    /** Records the group's committed offsets as the admin client reads them (a CommittedRead; INFO on error). */
    static void readCommitted(Admin admin, Recorder rec, String group) {
        long t0 = rec.now();
        java.util.SortedMap<Integer, Long> offsets = new java.util.TreeMap<>();
        String error = null;
        try {
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(ClientConfigs.API_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .forEach((tp, om) -> offsets.put(tp.partition(), om.offset()));
        } catch (Exception e) {
            error = e.toString();
        }
        io.rlog.chaos.history.Outcome outcome = error == null ? io.rlog.chaos.history.Outcome.OK
                : io.rlog.chaos.history.Outcome.INFO;
        rec.complete(io.rlog.chaos.history.Meta.HARNESS, outcome, t0, error,
                m -> new io.rlog.chaos.history.Op.CommittedRead(m, group, offsets));
    }

    /** The node that leads most partitions (lowest id on ties; node 1 if nothing is known). */
    static int busiestLeader(LeaderObserver observer, int partitions, int nodes) {
        int[] count = new int[nodes + 1];
        for (int p = 0; p < partitions; p++) {
            observer.leaderOf(p).ifPresent(l -> {
                if (l >= 1 && l <= nodes) {
                    count[l]++;
                }
            });
        }
        int best = 1;
        for (int k = 2; k <= nodes; k++) {
            if (count[k] > count[best]) {
                best = k;
            }
        }
        return best;
    }
}
