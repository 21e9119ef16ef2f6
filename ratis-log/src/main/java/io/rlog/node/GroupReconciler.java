package io.rlog.node;

import io.rlog.proto.TopicRecord;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The metadata leader's duty: make the partition groups that exist on each node match the metadata. It adds
 * the groups of new partitions on their replicas, adds them again on a node that was down or lost its disk,
 * and removes the groups of deleted topics. Idempotent, so it simply runs after every metadata change and on
 * a timer; only the metadata group's leader acts.
 */
final class GroupReconciler {

    private static final Logger LOG = LoggerFactory.getLogger(GroupReconciler.class);

    private final NodeConfig config;
    private final RaftHost host;
    private final MetadataView view;
    private final ConvergenceLoop loop;
    /** One thread per node, so that group additions proceed on all nodes at once. */
    private final java.util.concurrent.ExecutorService adders;
    /** Group removals in flight at once, across all nodes (each one an admin RPC that closes a Raft group). */
    static final int REMOVALS_IN_FLIGHT_MAX = 8;
    /** At most one new admin client this often while some node cannot be listed. */
    static final java.time.Duration ADMIN_RESET_INTERVAL = java.time.Duration.ofSeconds(5);
    private long lastAdminReset = System.nanoTime() - ADMIN_RESET_INTERVAL.toNanos();
    /** Runs the removals; its threads end after a minute idle, as only the metadata leader removes groups. */
    private final java.util.concurrent.ThreadPoolExecutor removers;

    GroupReconciler(NodeConfig config, RaftHost host, MetadataView view, ScheduledExecutorService executor) {
        this.config = config;
        this.host = host;
        this.view = view;
        this.loop = new ConvergenceLoop("group reconcile", this::reconcile, executor);
        this.adders = java.util.concurrent.Executors.newFixedThreadPool(config.peers().size(), r -> {
            Thread t = new Thread(r, "rlog-group-adder-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
        this.removers = new java.util.concurrent.ThreadPoolExecutor(REMOVALS_IN_FLIGHT_MAX, REMOVALS_IN_FLIGHT_MAX,
                1, java.util.concurrent.TimeUnit.MINUTES, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "rlog-group-remover-" + config.nodeId());
                    t.setDaemon(true);
                    return t;
                });
        this.removers.allowCoreThreadTimeOut(true);
    }

    void start(long intervalMs) {
        loop.start(view, intervalMs);
    }

    void trigger() {
        loop.trigger();
    }

    private boolean isMetadataLeader() {
        return host.division(GroupIds.METADATA).map(RaftServer.Division::getInfo)
                .map(i -> i.isLeader() && i.isLeaderReady()).orElse(false);
    }

    private void reconcile() {
        if (!isMetadataLeader()) {
            return;
        }
        MetadataView.Snapshot snap = view.current();
        Map<Integer, Map<RaftGroupId, List<Integer>>> expected = new HashMap<>();
        Map<RaftGroupId, List<Integer>> groups = new java.util.LinkedHashMap<>(); // topic, then partition order
        for (TopicRecord t : snap.image().getTopicsList()) {
            UUID id = GroupIds.uuid(t.getTopicId());
            for (int p = 0; p < t.getPartitionsCount(); p++) {
                List<Integer> replicas = t.getPartitions(p).getReplicasList();
                RaftGroupId gid = GroupIds.partition(id, p);
                groups.put(gid, replicas);
                for (int node : replicas) {
                    expected.computeIfAbsent(node, k -> new HashMap<>()).put(gid, replicas);
                }
            }
        }
        Map<Integer, Set<RaftGroupId>> present = new HashMap<>();
        boolean unlisted = false;
        for (NodeConfig.Peer peer : config.peers()) {
            try {
                present.put(peer.id(), new HashSet<>(host.adminClient()
                        .getGroupManagementApi(RaftHost.peerId(peer.id())).list().getGroupIds()));
            } catch (IOException | RuntimeException e) {
                // gRPC reports a peer that is down as an unchecked UNAVAILABLE: that node sits this round out,
                // the others are still reconciled (it used to end the round, so no node got its groups).
                LOG.debug("cannot list groups on node {}: {}", peer.id(), e.toString());
                unlisted = true;
            }
        }
        long now = System.nanoTime();
        if (unlisted && now - lastAdminReset >= ADMIN_RESET_INTERVAL.toNanos()) {
            lastAdminReset = now;
            host.resetAdminClient(); // fresh connections: no back-off left over when the node returns
        }
        // Every node adds its missing groups in partition order, all nodes at once, in steps of
        // ADD_STEP_PARTITIONS partitions: a step ends when every node has added its groups of that step. So the
        // replicas of a partition start within one step of each other and its first election finds its peers.
        // A replica started long before the others keeps failing elections, each on new threads; measured with
        // 1,000 partitions on 2 cores, nodes that drifted apart (one adder per node, no steps) left hundreds of
        // groups electing at once and the node's CPU went to creating election threads. A big topic still
        // becomes usable partition after partition.
        List<Map.Entry<RaftGroupId, List<Integer>>> missing = new java.util.ArrayList<>();
        for (Map.Entry<RaftGroupId, List<Integer>> e : groups.entrySet()) {
            for (int node : e.getValue()) {
                Set<RaftGroupId> there = present.get(node);
                if (there != null && !there.contains(e.getKey())) {
                    missing.add(e);
                    break;
                }
            }
        }
        Set<Integer> unreachable = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int from = 0; from < missing.size(); from += ADD_STEP_PARTITIONS) {
            List<Map.Entry<RaftGroupId, List<Integer>>> step =
                    missing.subList(from, Math.min(missing.size(), from + ADD_STEP_PARTITIONS));
            if (!addStep(step, present, unreachable)) {
                return;
            }
        }
        removeStale(present, expected);
    }

    /**
     * Removes the groups of deleted topics, up to {@link #REMOVALS_IN_FLIGHT_MAX} at once across the nodes, in
     * group order with a partition's replicas next to each other, so they go at about the same time. A removal
     * takes up to a second in Ratis 3.3 (closing the group's log worker waits out its 1 s queue poll); one at a
     * time, a 6-partition topic of replication factor 3 took 10-13 s to go, and meanwhile the leaders left on the
     * last node kept sending to followers that no longer had the group until they lost their leadership.
     */
    private void removeStale(Map<Integer, Set<RaftGroupId>> present,
                             Map<Integer, Map<RaftGroupId, List<Integer>>> expected) {
        java.util.TreeMap<java.util.UUID, List<Integer>> stale = new java.util.TreeMap<>(); // group, nodes
        present.forEach((node, there) -> {
            Map<RaftGroupId, List<Integer>> wanted = expected.getOrDefault(node, Map.of());
            for (RaftGroupId gid : there) {
                if (!gid.equals(GroupIds.METADATA) && !wanted.containsKey(gid)) {
                    stale.computeIfAbsent(gid.getUuid(), k -> new java.util.ArrayList<>()).add(node);
                }
            }
        });
        List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
        stale.forEach((uuid, nodes) -> nodes.forEach(node ->
                running.add(removers.submit(() -> removeGroup(node, RaftGroupId.valueOf(uuid))))));
        awaitAll(running, "removing a group");
    }

    /** Waits for every task; false when interrupted, after cancelling the ones not yet started. */
    private static boolean awaitAll(List<java.util.concurrent.Future<?>> running, String what) {
        for (java.util.concurrent.Future<?> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException ex) {
                LOG.warn(what + " failed", ex.getCause());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                running.forEach(r -> r.cancel(false));
                return false;
            }
        }
        return true;
    }

    /** Partitions whose groups all nodes add before any node goes on to the next ones. */
    static final int ADD_STEP_PARTITIONS = 4;

    /** Adds one step's missing groups, each node on its own thread; false when interrupted. */
    private boolean addStep(List<Map.Entry<RaftGroupId, List<Integer>>> step, Map<Integer, Set<RaftGroupId>> present,
                            Set<Integer> unreachable) {
        Map<Integer, List<Map.Entry<RaftGroupId, List<Integer>>>> byNode = new java.util.TreeMap<>();
        for (Map.Entry<RaftGroupId, List<Integer>> e : step) {
            for (int node : e.getValue()) {
                Set<RaftGroupId> there = present.get(node);
                if (there != null && !there.contains(e.getKey()) && !unreachable.contains(node)) {
                    byNode.computeIfAbsent(node, k -> new java.util.ArrayList<>()).add(e);
                }
            }
        }
        List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
        byNode.forEach((node, list) -> running.add(adders.submit(() -> {
            for (Map.Entry<RaftGroupId, List<Integer>> e : list) {
                boolean elsewhere = e.getValue().stream().anyMatch(other -> other != node
                        && present.getOrDefault(other, Set.of()).contains(e.getKey()));
                if (!addGroup(node, e.getKey(), e.getValue(), elsewhere)) {
                    unreachable.add(node); // skip the node for the rest of this round
                    return;
                }
            }
        })));
        return awaitAll(running, "adding groups");
    }

    /**
     * The group was added again on {@code node}, empty, while its other replicas kept it (the node lost the
     * replica's folder, or set it aside as corrupt). Its leader remembers how far that replica had matched its
     * log and Ratis never sends a follower entries below that, so the empty replica would stay empty for as long
     * as that leader lasts. Asking the leader to step down starts a new term whose leader knows nothing of the
     * old replica and sends it everything; the empty replica cannot win the election, its log being the shortest.
     */
    private void newTerm(RaftGroupId gid, List<Integer> replicas, int node) {
        try (org.apache.ratis.client.RaftClient client = host.newClient(host.partitionGroup(gid, replicas))) {
            client.admin().transferLeadership(null, STEP_DOWN_TIMEOUT.toMillis());
            LOG.info("partition group {} was added again on node {}: its leader stepped down so a new term brings"
                    + " that replica up to date", gid, node);
        } catch (IOException | RuntimeException ex) {
            LOG.warn("partition group {} was added again on node {}, but its leader did not step down ({}); the"
                    + " replica catches up after the group's next election", gid, node, ex.toString());
        }
    }

    /** Bound on a leader's step-down after a replica was added again. */
    static final java.time.Duration STEP_DOWN_TIMEOUT = java.time.Duration.ofSeconds(3);

    /**
     * Adds one partition group on one node; false when the node cannot be reached (skip it this round). When
     * other replicas have the group already ({@code rejoin}), a new term follows (see {@link #newTerm}).
     */
    private boolean addGroup(int nodeId, RaftGroupId gid, List<Integer> replicas, boolean rejoin) {
        try {
            host.adminClient().getGroupManagementApi(RaftHost.peerId(nodeId)).add(host.partitionGroup(gid, replicas), true);
            LOG.info("added partition group {} on node {}", gid, nodeId);
        } catch (AlreadyExistsException ignored) {
            return true; // added by an earlier round whose reply was lost, or the node was still loading it
        } catch (IOException ex) {
            LOG.warn("cannot add group {} on node {}: {}", gid, nodeId, ex.toString());
            return false;
        }
        if (rejoin) {
            newTerm(gid, replicas, nodeId);
        }
        return true;
    }

    private void removeGroup(int nodeId, RaftGroupId gid) {
        try {
            host.adminClient().getGroupManagementApi(RaftHost.peerId(nodeId)).remove(gid, true, false);
            LOG.info("removed group {} of a deleted topic from node {}", gid, nodeId);
        } catch (IOException ex) {
            LOG.warn("cannot remove group {} on node {}: {}", gid, nodeId, ex.toString());
        }
    }
}
