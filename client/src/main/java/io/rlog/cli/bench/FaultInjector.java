package io.rlog.cli.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;

/**
 * Injects a case's fault at its time, then heals it {@code healAfterS} later, recording both in the timeline.
 * The leader is partition 0's, as the cluster's metadata names it just before the fault. Runs on its own
 * thread; the case waits for it before the read-back, so the read-back always sees a healed cluster.
 */
final class FaultInjector implements Runnable {
    private final Target target;
    private final Admin admin;
    private final String topic;
    private final CaseSpec spec;
    private final Timeline timeline;
    private final AckGaps gaps;

    FaultInjector(Target target, Admin admin, String topic, CaseSpec spec, Timeline timeline, AckGaps gaps) {
        this.gaps = gaps;
        this.target = target;
        this.admin = admin;
        this.topic = topic;
        this.spec = spec;
        this.timeline = timeline;
    }

    @Override
    public void run() {
        try {
            awaitOffset(spec.faultAtS());
            List<Integer> victims;
            switch (spec.fault()) {
                case KILL_LEADER -> {
                    int leader = leader();
                    timeline.add("fault: SIGKILL node " + leader + " (leader of partition 0)");
                    target.kill(leader);
                    // Marked once the process is gone: answers it wrote before the signal still arrive while it
                    // exits (tens of ms with a pre-touched heap), and a partition's failover starts after them.
                    gaps.fault(System.nanoTime());
                    victims = List.of(leader);
                }
                case KILL_ALL -> {
                    timeline.add("fault: SIGKILL every node");
                    for (int node : target.nodes()) {
                        target.kill(node);
                    }
                    gaps.fault(System.nanoTime());
                    victims = target.nodes();
                }
                case PAUSE_LEADER -> {
                    int leader = leader();
                    timeline.add("fault: SIGSTOP node " + leader + " (leader of partition 0)");
                    target.pause(leader);
                    gaps.fault(System.nanoTime());
                    victims = List.of(leader);
                }
                default -> {
                    return;
                }
            }
            awaitOffset(spec.faultAtS() + spec.healAfterS());
            if (spec.fault() == Fault.PAUSE_LEADER) {
                timeline.add("heal: SIGCONT node " + victims.get(0));
                gaps.heal(System.nanoTime());
                target.resume(victims.get(0));
            } else {
                timeline.add("heal: restarting node(s) " + victims);
                gaps.heal(System.nanoTime());
                target.restart(victims);
                timeline.add("healed: node(s) " + victims + " serve again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            timeline.add("fault injection interrupted");
        } catch (Exception e) {
            timeline.add("fault injection failed: " + e);
            throw new IllegalStateException("fault injection failed: " + e.getMessage(), e);
        }
    }

    private int leader() throws Exception {
        Node leader = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().get(0).leader();
        if (leader == null || !target.nodes().contains(leader.id())) {
            throw new IllegalStateException("partition 0 of " + topic + " has no leader among nodes "
                    + target.nodes() + ": " + leader);
        }
        return leader.id();
    }

    /** Pacing to a wall-clock offset of the case, not synchronization with another thread. */
    private void awaitOffset(int seconds) throws InterruptedException {
        long at = timeline.originNanos() + TimeUnit.SECONDS.toNanos(seconds);
        for (long left = at - System.nanoTime(); left > 0; left = at - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
