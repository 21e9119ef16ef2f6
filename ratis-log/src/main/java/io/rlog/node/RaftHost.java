package io.rlog.node;

import io.rlog.statemachine.metadata.MetadataStateMachine;
import io.rlog.statemachine.partition.PartitionStateMachine;
import io.rlog.statemachine.partition.PartitionStore;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's one Ratis server hosting every group (multi-raft): the metadata group and the partition groups
 * placed here. Owns the Ratis settings; each one below says why it differs from Ratis's default.
 */
public final class RaftHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftHost.class);

    private final NodeConfig config;
    private final RaftProperties properties;
    private final MetadataStateMachine.Events metadataEvents;
    private final PartitionStateMachine.Events partitionEvents;
    /** Built again when {@link #start} sets a corrupt replica aside: a Ratis server that failed cannot start. */
    private volatile RaftServer server;
    private volatile MetadataStateMachine metadata;
    private final Map<RaftGroupId, PartitionStateMachine> partitions = new ConcurrentHashMap<>();
    /** How long a leader's appender sleeps after failures to reach a follower: 10 at 1 ms, 20 at 100 ms, then 1 s. */
    static final String APPENDER_RETRY_POLICY = "1ms,10, 100ms,20, 1s,1000";
    /** Replaced by {@link #replaceMetadataClient} once a failed request has closed it. */
    private volatile RaftClient metadataClient;
    /** Set by {@link #close}: no client is replaced after it. */
    private boolean closed;
    /** Replaced by {@link #resetAdminClient}; only the group reconciler uses it, one round at a time. */
    private volatile RaftClient adminClient;
    /** raft.updater.idle.wait.ms; 0 or less keeps Ratis's own 100 ms polling (see UpdaterWakeups). */
    private final long updaterIdleWaitMs;
    /** rocksdb.flush.*: read once, so that a bad value stops the node at start, not a group later. */
    private final PartitionStore.FileWrites fileWrites;

    public RaftHost(NodeConfig config, MetadataStateMachine.Events metadataEvents,
                    PartitionStateMachine.Events partitionEvents) throws IOException {
        this.config = config;
        this.properties = properties(config);
        this.updaterIdleWaitMs = config.longSetting("raft.updater.idle.wait.ms", UpdaterWakeups.IDLE_WAIT_MS);
        this.fileWrites = fileWrites(config);
        this.metadataEvents = metadataEvents;
        this.partitionEvents = partitionEvents;
        if (config.boolSetting("raft.metrics.jmx.enabled", false)) {
            throw new IllegalArgumentException("raft.metrics.jmx.enabled=true is no longer supported: since 30 "
                    + "November rlog keeps Ratis's metrics as counts in memory (LeanRatisMetrics), without Ratis's "
                    + "Dropwizard registries and their JMX reporter; /metrics has rlog's own");
        }
        newServer();
        this.metadataClient = newClient(metadataGroup());
        this.adminClient = newClient(RaftGroup.valueOf(RaftGroupId.randomId(), allPeers()));
    }

    /**
     * How partition stores write flushed and compacted files: {@code rocksdb.flush.direct.io} (false; true:
     * O_DIRECT) and, for buffered writes, {@code rocksdb.flush.bytes.per.sync} (1MB; 0: the kernel writes a file
     * back when it likes and at its final fsync); how large a partition's batch files grow,
     * {@code partition.segment.bytes.max} (64MB); and how many bytes of the active one are written between
     * background fsyncs, {@code partition.segment.writeback.bytes} (1MB; 0: left to the kernel).
     */
    static PartitionStore.FileWrites fileWrites(NodeConfig config) {
        PartitionStore.FileWrites defaults = PartitionStore.FileWrites.DEFAULT;
        return new PartitionStore.FileWrites(config.boolSetting("rocksdb.flush.direct.io", defaults.directIo()),
                size(config, "rocksdb.flush.bytes.per.sync", defaults.bytesPerSync(), 0),
                size(config, "partition.segment.bytes.max", defaults.segmentBytesMax(), 1),
                size(config, "partition.segment.writeback.bytes", defaults.segmentWritebackBytes(), 0));
    }

    /** A size setting of at least {@code min} bytes, or the default when unset. */
    private static long size(NodeConfig config, String name, long defaultBytes, long min) {
        String value = config.setting(name, Long.toString(defaultBytes));
        long bytes;
        try {
            bytes = SizeInBytes.valueOf(value).getSize();
        } catch (RuntimeException e) {
            bytes = -1;
        }
        if (bytes < min) {
            throw new IllegalArgumentException(name + " must be a size of at least " + min + " bytes (such as 1MB), got "
                    + value);
        }
        return bytes;
    }

    /** A Raft client for {@code group}; the caller closes it. */
    RaftClient newClient(RaftGroup group) {
        return RaftClient.newBuilder().setRaftGroup(group).setProperties(properties)
                .setClientId(ClientId.randomId())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(50,
                        TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
    }

    /** A Ratis server for this node's groups, with fresh state machines (a closed one cannot be reused). */
    private void newServer() throws IOException {
        partitions.clear();
        metadata = new MetadataStateMachine(metadataEvents);
        server = RaftServer.newBuilder()
                .setServerId(peerId(config.nodeId()))
                .setGroup(metadataGroup())
                .setProperties(properties)
                .setParameters(new Parameters())
                .setOption(RaftStorage.StartupOption.RECOVER)
                .setStateMachineRegistry(gid -> {
                    if (gid.equals(GroupIds.METADATA)) {
                        return metadata;
                    }
                    PartitionStateMachine sm = new PartitionStateMachine(partitionEvents, System::currentTimeMillis,
                            fileWrites);
                    partitions.put(gid, sm);
                    return sm;
                })
                .build();
    }

    /**
     * Starts the Ratis server with every group on this node's disk. A partition replica whose files fail their
     * checksums is set aside (see {@link CorruptReplicas}) and the server started again without it, at most once
     * per folder; any other failure, or a corrupt metadata replica, stops the node with the cause named.
     */
    public void start() throws IOException {
        Path raftDir = config.dataDir().resolve("raft");
        java.util.Set<Path> setAside = new java.util.HashSet<>();
        while (true) {
            try {
                server.start();
                return;
            } catch (IOException | RuntimeException e) {
                Optional<Path> folder = CorruptReplicas.folderOf(e, raftDir);
                if (folder.isEmpty() || !setAside.add(folder.get())) {
                    throw e;
                }
                if (folder.get().getFileName().toString().equals(GroupIds.METADATA.getUuid().toString())) {
                    throw new IOException("this node's replica of the metadata group is corrupt (" + folder.get()
                            + "): it holds the cluster's topics, so the node does not rebuild it by itself", e);
                }
                try {
                    server.close();
                } catch (IOException | RuntimeException closing) {
                    LOG.warn("closing the Ratis server that failed to start: {}", closing.toString());
                }
                // The group that failed had opened its store before its log failed, and Ratis closes only the
                // groups it started: without this its RocksDB lock stayed held, and the group could not be
                // added here again (RocksDB keys the lock by path, and the new replica has the same path).
                for (PartitionStateMachine sm : partitions.values()) {
                    try {
                        sm.close();
                    } catch (IOException | RuntimeException closing) {
                        LOG.warn("closing a partition state machine of the failed start: {}", closing.toString());
                    }
                }
                Path moved = CorruptReplicas.setAside(folder.get(), config.dataDir(), System.currentTimeMillis());
                LOG.error("partition replica {} failed its checksums ({}); its folder is set aside in {} and the node"
                        + " starts without it: the metadata leader adds the replica here again, empty, and it"
                        + " catches up from the partition's other replicas", folder.get().getFileName(),
                        rootCause(e), moved);
                newServer();
            }
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }

    static RaftProperties properties(NodeConfig config) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setPort(p, config.raftPort());
        // Optional: bind Raft to one address instead of all of them, so a chaos test can put per-pair proxies
        // on other loopback addresses with the same port (chaos-tests README: network cuts).
        String bindHost = config.setting("raft.bind.host", "");
        if (!bindHost.isEmpty()) {
            GrpcConfigKeys.Server.setHost(p, bindHost);
        }
        RaftServerConfigKeys.setStorageDir(p, List.of(config.dataDir().resolve("raft").toFile()));
        RaftServerConfigKeys.setRemovedGroupsDir(p, config.dataDir().resolve("removed-groups").toFile());
        // Election timeouts. A follower sleeps a random timeout in [min, max] and only then checks whether the
        // leader has been silent that long, so detection takes up to twice max; a leader that has heard from no
        // follower for max steps down. A dead leader's process is noticed by PeerWatch within milliseconds and
        // replaced by an early election, so these only bound how long a paused or cut-off leader keeps its
        // partitions. At 200-400 ms, young GC pauses of 0.3-0.5 s under load on 2 cores deposed leaders that were
        // alive: in closed-loop acks=all runs 2-5 s without acknowledgements and 7,700-9,300 records/s; at
        // 1000-2000 ms, 0.35-0.47 s and 15,500-15,700 records/s, while the gap after a leader's SIGKILL stayed
        // 0.25-0.98 s (docs/design-decisions.md).
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(
                config.intSetting("raft.election.timeout.min.ms", 1000), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(
                electionTimeoutMaxMs(config), TimeUnit.MILLISECONDS));
        // A leader that stepped down because its followers' replies came later than the maximum election timeout
        // (it happens under load on a small machine) skips elections for this long; Ratis waits 10 s. The first
        // replica is the leader most of the time, and a higher-priority voter whose log is longer vetoes every
        // other candidate, so for all that time the partition had no leader: measured, a 10 s gap in a closed-loop
        // acks=all run without faults. The maximum election timeout, at most Ratis's 10 s (it was twice the
        // maximum while that was 400 ms). A JVM pause longer than this also makes the node's leaders step down
        // (Ratis's JvmPauseMonitor uses the same setting); by then their followers have started elections.
        int electionMaxMs = electionTimeoutMaxMs(config);
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, TimeDuration.valueOf(
                config.intSetting("raft.leader.stepdown.wait.ms", Math.min(10_000, electionMaxMs)),
                TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(
                config.intSetting("raft.request.timeout.ms", 10_000), TimeUnit.MILLISECONDS));
        // Snapshots keep the Raft log bounded; the log below a snapshot is purged.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.longSetting("raft.snapshot.threshold.entries", 20_000));
        RaftServerConfigKeys.Snapshot.setCreationGap(p, config.longSetting("raft.snapshot.creation.gap.entries", 1024));
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, config.intSetting("raft.log.purge.gap.entries", 1024));
        // One Raft entry must fit in the appender buffer (Ratis refuses larger ones), and the write buffer (a
        // direct buffer per group) must hold the largest entry plus 8 bytes. An entry carries at most
        // message.max.bytes of batches (one batch per request, or coalesced requests up to that many bytes) and
        // its framing: kept that tight, so a node hosting 1,000 groups needs ~1 GiB of direct memory, not 3.
        long appenderBytes = entryBytesMax(config);
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(appenderBytes));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(appenderBytes + 4096));
        // Ratis extends a segment by writing zeros ahead of the data. Kernels with large page-cache folios (Linux
        // 6.x; ext4, XFS) cache one such write of 1 MB as one folio, and every append into it dirties the whole
        // folio again, so each fsync wrote the megabyte back: 5.5 GB written by the three nodes' Raft logs in 10 s
        // of a closed-loop run, for 0.45 GB of log data. Zeros written 64 KB at a time: 0.58 GB.
        RaftServerConfigKeys.Log.setPreallocatedSize(p,
                SizeInBytes.valueOf(config.setting("raft.log.preallocated.size", "64KB")));
        // Ratis keeps every entry of a group's open segment and of its newest closed segments in the heap: by
        // default 6 closed segments (up to 200 MB) per group, which with 16 MB segments let every partition under
        // sustained writes pin 112 MB. Six such partitions filled the 1 GiB node heaps to 0.55-0.8 GiB after
        // collections, twelve to 0.5 GiB with 0.2 s young pauses (entries living seconds are copied by every
        // young collection). Bounded here to the open segment and one closed one, 8 MB each: 0.3 GiB with twelve,
        // throughput no lower (docs/design-decisions.md). A follower further behind is sent entries read back
        // from the segment files.
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.setting("raft.log.segment.size.max", "8MB")));
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, config.intSetting("raft.log.segment.cache.segments.max", 1));
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf(
                config.setting("raft.log.segment.cache.size.max", "32MB")));
        // Ratis 3.3 by default chains each follower append behind the previous one through two async steps (one of
        // them without an executor: a new thread per append on a 2-core machine, see CommonPool); off, the
        // follower hands the entries straight to its log worker, in order, as Ratis did before 3.2. Apache Ozone
        // turns it off too (HDDS-14874). raft.log.append.compose=true restores Ratis's default.
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, config.boolSetting("raft.log.append.compose", false));
        // By default a Ratis leader appends a metadata entry (the new commit index) to its log each time the
        // commit index advances, and replicates it like any entry, only so that a restarted server can apply up
        // to it before it hears from a leader. With one produce entry in flight per partition that doubled the
        // entries: every acknowledged write cost each replica two log writes and two fsyncs, and the leader two
        // appendEntries round trips per follower. Off, a restarted replica applies the committed tail once a
        // leader's first appendEntries (or its own first commit as leader) tells it the commit index.
        // The metadata entry was also what told running followers of a commit at once: without it they hear of
        // it with the next entry or heartbeat (up to half the minimum election timeout later). Partition groups
        // need no more, as only their leader serves; the metadata group does, as every node answers Metadata
        // and places replicas from its own copy, so its writer follows its writes with a no-op entry, whose
        // appendEntries carries the commit to every follower (MetadataWriter).
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, config.boolSetting("raft.log.metadata.entries", false));
        // While a follower cannot be reached, each of its leaders' appenders sleeps between attempts, and such a
        // sleep is not cut short when the follower comes back. Ratis's default policy sleeps 5 s after about 20 s
        // of failures, so a node restarted after a longer outage heard from its groups' leaders 5 to 10 s late: its
        // replicas stayed behind, and its metadata replica (which holds the node's Kafka requests until it has
        // caught up, MetadataCatchUp) took 9.9 s in RestartedNodeMetadataWireTest. Sleeps here are at most 1 s.
        String appenderRetry = config.setting("raft.log.appender.retry.policy", APPENDER_RETRY_POLICY);
        try {
            org.apache.ratis.retry.RetryPolicy.parse(appenderRetry); // Ratis reads it only when a leader starts
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("raft.log.appender.retry.policy must be pairs of sleep and count"
                    + " such as \"" + APPENDER_RETRY_POLICY + "\", got \"" + appenderRetry + "\": " + e.getMessage(), e);
        }
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, appenderRetry);
        if (config.fsync() == NodeConfig.Fsync.BACKGROUND) {
            RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, true);
        }
        // A whole request must fit in one gRPC message: Kafka's largest produce plus headroom.
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(config.setting("raft.grpc.message.size.max", "128MB")));
        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf("4MB"));
        return p;
    }

    /** raft.election.timeout.max.ms: the longest a follower waits, per look, before it suspects its leader. */
    static int electionTimeoutMaxMs(NodeConfig config) {
        return config.intSetting("raft.election.timeout.max.ms", 2000);
    }

    /** Framing a Raft entry adds to its batches: Ratis's entry header and ours, per request (see ProduceCoalescer). */
    static final int ENTRY_FRAMING_BYTES_MAX = 64 * 1024;

    /** The largest Raft entry a partition group accepts: one entry's batches at most plus their framing. */
    static long entryBytesMax(NodeConfig config) {
        return (long) config.intSetting("message.max.bytes", 1_048_588) + ENTRY_FRAMING_BYTES_MAX;
    }

    public static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf("n" + nodeId);
    }

    /** The node id of a Ratis peer id ({@code n<id>}), or -1. */
    public static int nodeId(RaftPeerId peer) {
        if (peer == null) {
            return -1;
        }
        String s = peer.toString();
        return s.startsWith("n") ? Integer.parseInt(s.substring(1)) : -1;
    }

    RaftPeer peer(int nodeId, RaftPeerRole role) {
        NodeConfig.Peer p = config.peer(nodeId);
        return RaftPeer.newBuilder().setId(peerId(nodeId)).setAddress(p.host() + ":" + p.raftPort())
                .setStartupRole(role).build();
    }

    List<RaftPeer> allPeers() {
        List<RaftPeer> peers = new ArrayList<>();
        config.peers().forEach(p -> peers.add(peer(p.id(), RaftPeerRole.FOLLOWER)));
        return peers;
    }

    RaftGroup metadataGroup() {
        List<RaftPeer> peers = new ArrayList<>();
        int voters = config.metadataVoterCount();
        for (int i = 0; i < config.peers().size(); i++) {
            peers.add(peer(config.peers().get(i).id(), i < voters ? RaftPeerRole.FOLLOWER : RaftPeerRole.LISTENER));
        }
        return RaftGroup.valueOf(GroupIds.METADATA, peers);
    }

    static final int PREFERRED_PRIORITY = 2;
    static final int OTHER_PRIORITY = 1;

    /**
     * A partition's group. The first replica gets a higher Ratis priority than the others, so that once it is
     * caught up it takes leadership back: placement rotates the first replica across nodes, so leaders spread
     * evenly instead of piling onto whichever node started first, as Kafka's preferred-leader election does.
     * The other replicas share one lower priority: with distinct priorities a voter refuses a candidate of
     * lower priority whose log equals its own, and a leader hands over to any caught-up peer of higher
     * priority, so when the first replica died a failover could take a second election or a second handover.
     */
    public RaftGroup partitionGroup(RaftGroupId gid, List<Integer> replicas) {
        List<RaftPeer> peers = new ArrayList<>(replicas.size());
        for (int i = 0; i < replicas.size(); i++) {
            NodeConfig.Peer p = config.peer(replicas.get(i));
            peers.add(RaftPeer.newBuilder().setId(peerId(p.id())).setAddress(p.host() + ":" + p.raftPort())
                    .setPriority(i == 0 ? PREFERRED_PRIORITY : OTHER_PRIORITY).build());
        }
        return RaftGroup.valueOf(gid, peers);
    }

    public RaftServer server() {
        return server;
    }

    public MetadataStateMachine metadata() {
        return metadata;
    }

    public RaftClient metadataClient() {
        return metadataClient;
    }

    /**
     * A new metadata client in place of {@code broken}, unless it was replaced already. Ratis's ordered async
     * client closes its sliding window for good when a request fails after its last retry (no leader for 5 s:
     * 50 tries 100 ms apart), and every later request then fails at once with AlreadyClosedException: before
     * this, a node whose metadata group had been without a leader that long could never again create a topic,
     * report a leader or hand out producer ids (MetadataWriterRecoveryTest).
     */
    synchronized void replaceMetadataClient(RaftClient broken) {
        if (metadataClient != broken || closed) {
            return; // replaced already, or failing because the node closes
        }
        metadataClient = newClient(metadataGroup());
        LOG.info("replaced the metadata group's client after a request failed for good");
        try {
            broken.close();
        } catch (IOException e) {
            LOG.debug("closing the old metadata client: {}", e.toString());
        }
    }

    /** A client for group management calls addressed to one peer at a time. */
    public RaftClient adminClient() {
        return adminClient;
    }

    /**
     * A new admin client, with new connections, in place of the current one. gRPC waits longer and longer
     * between attempts to reach a peer that is down (up to 2 minutes), so after a node came back the
     * reconciler could not reach it for 45 s in one run, and a replica it had to add there waited that long.
     */
    synchronized void resetAdminClient() {
        RaftClient old = adminClient;
        adminClient = newClient(RaftGroup.valueOf(RaftGroupId.randomId(), allPeers()));
        try {
            old.close();
        } catch (IOException e) {
            LOG.debug("closing the old admin client: {}", e.toString());
        }
    }

    public Optional<PartitionStateMachine> partition(RaftGroupId gid) {
        return Optional.ofNullable(partitions.get(gid));
    }

    public Optional<RaftServer.Division> division(RaftGroupId gid) {
        try {
            return Optional.of(server.getDivision(gid));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public void forgetPartition(RaftGroupId gid) {
        partitions.remove(gid);
    }

    public Iterable<RaftGroupId> groupIds() {
        return server.getGroupIds();
    }

    /**
     * Gives every started division's state machine updater a sticky signal and a long idle wait (see
     * {@link UpdaterWakeups}); divisions that have one already are left as they are. Run every second, so a
     * group added or re-opened since the last run is covered within a second. Returns how many have one.
     */
    int quietIdleUpdaters() {
        if (updaterIdleWaitMs <= 0) {
            return 0; // Ratis's own 100 ms polling
        }
        int quiet = 0;
        for (RaftGroupId gid : server.getGroupIds()) {
            if (division(gid).map(d -> UpdaterWakeups.install(d, updaterIdleWaitMs)).orElse(false)) {
                quiet++;
            }
        }
        return quiet;
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
        }
        metadataClient.close();
        adminClient.close();
        server.close();
    }
}
