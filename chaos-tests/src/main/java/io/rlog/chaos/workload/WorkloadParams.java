package io.rlog.chaos.workload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * What the clients do during a run.
 *
 * @param partitions        partitions of the run's topic (replication factor 3, or the node count if smaller)
 * @param producers         one producer thread per entry, in that mode (a transactional one has its own
 *                          transactional.id)
 * @param consumers         assign-mode consumer threads, each reading every partition
 * @param sendsPerSecond    target send rate of each producer thread
 * @param clientCrashMs     mean time between client crashes per thread (abrupt close, new instance); 0 = never
 * @param groups            also run subscribe-mode consumers that commit offsets (needs consumer groups in the
 *                          broker; off until rlog has them)
 */
public record WorkloadParams(int partitions, List<ProducerMode> producers, int consumers, int sendsPerSecond,
                             long clientCrashMs, boolean groups) {
    public WorkloadParams {
        producers = List.copyOf(producers);
        if (partitions < 1 || producers.isEmpty() || consumers < 0 || sendsPerSecond < 1 || clientCrashMs < 0) {
            throw new IllegalArgumentException("bad workload parameters");
        }
    }

    public static WorkloadParams defaults() {
        return new WorkloadParams(2, List.of(ProducerMode.IDEMPOTENT, ProducerMode.IDEMPOTENT, ProducerMode.ACKS_1,
                ProducerMode.ACKS_0), 2, 50, 10_000, false);
    }

    /**
     * A random workload for property runs; pure function of the seed. Modes beyond the first idempotent producer
     * are drawn from every {@link ProducerMode}, transactional included.
     */
    public static WorkloadParams generate(long seed, boolean groups) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<ProducerMode> modes = new ArrayList<>(List.of(ProducerMode.IDEMPOTENT));
        int extra = r.nextInt(3);
        for (int i = 0; i < extra; i++) {
            modes.add(ProducerMode.values()[r.nextInt(ProducerMode.values().length)]);
        }
        long crash = r.nextInt(3) == 0 ? 0 : 5_000 + r.nextInt(10_000);
        return new WorkloadParams(1 + r.nextInt(3), modes, 1 + r.nextInt(2), 30 + r.nextInt(60), crash, groups);
    }

    public WorkloadParams withProducers(List<ProducerMode> value) {
        return new WorkloadParams(partitions, value, consumers, sendsPerSecond, clientCrashMs, groups);
    }

    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("partitions", Integer.toString(partitions));
        m.put("producers", producers.stream().map(ProducerMode::id).collect(Collectors.joining(",")));
        m.put("consumers", Integer.toString(consumers));
        m.put("sends.per.second", Integer.toString(sendsPerSecond));
        m.put("client.crash.ms", Long.toString(clientCrashMs));
        m.put("groups", Boolean.toString(groups));
        return m;
    }
}
