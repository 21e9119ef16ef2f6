package io.rlog.statemachine.partition;

import com.google.protobuf.ByteString;
import io.rlog.proto.AppendBatches;
import io.rlog.proto.AppendReply;
import io.rlog.proto.PartitionCommand;
import io.rlog.statemachine.RatisBytes;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Real Ratis servers in this JVM, each hosting one partition group, for state machine tests. */
final class LocalRatis implements AutoCloseable {

    final RaftGroup group;
    final Path dir;
    final long snapshotThreshold;
    final RaftServer[] servers;
    final PartitionStateMachine[] machines;

    LocalRatis(Path dir, int n, long snapshotThreshold) throws IOException {
        this.dir = dir;
        this.snapshotThreshold = snapshotThreshold;
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            peers.add(RaftPeer.newBuilder().setId("s" + i).setAddress("127.0.0.1:" + freePort()).build());
        }
        group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
        servers = new RaftServer[n];
        machines = new PartitionStateMachine[n];
        for (int i = 0; i < n; i++) {
            start(i);
        }
    }

    void start(int i) throws IOException {
        RaftPeer peer = group.getPeers().stream().toList().get(i);
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setPort(p, Integer.parseInt(peer.getAddress().split(":")[1]));
        RaftServerConfigKeys.setStorageDir(p, List.of(dir.resolve("s" + i).toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotThreshold);
        RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, 1);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, org.apache.ratis.util.SizeInBytes.valueOf("64KB"));
        PartitionStateMachine sm = new PartitionStateMachine(PartitionStateMachine.Events.NONE, () -> 1_000L);
        machines[i] = sm;
        servers[i] = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group).setProperties(p)
                .setOption(RaftStorage.StartupOption.RECOVER).setStateMachine(sm).build();
        servers[i].start();
    }

    void stop(int i) throws IOException {
        servers[i].close();
    }

    RaftClient client() {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        return RaftClient.newBuilder().setRaftGroup(group).setProperties(p).build();
    }

    static AppendReply append(RaftClient client, ByteBuffer batches) throws IOException {
        PartitionCommand cmd = PartitionCommand.newBuilder()
                .setAppend(AppendBatches.newBuilder().setBatches(ByteString.copyFrom(batches.duplicate()))).build();
        RaftClientReply reply = client.io().send(Message.valueOf(RatisBytes.of(cmd)));
        if (!reply.isSuccess()) {
            throw new IOException(reply.getException());
        }
        return AppendReply.parseFrom(RatisBytes.toBuffer(reply.getMessage().getContent()));
    }

    /** Any command whose reply is an AppendReply (an append, a transaction marker, a consumer-group change). */
    static AppendReply send(RaftClient client, PartitionCommand cmd) throws IOException {
        RaftClientReply reply = client.io().send(Message.valueOf(RatisBytes.of(cmd)));
        if (!reply.isSuccess()) {
            throw new IOException(reply.getException());
        }
        return AppendReply.parseFrom(RatisBytes.toBuffer(reply.getMessage().getContent()));
    }

    /** The transaction coordinator's marker for one producer's transaction on this partition. */
    static AppendReply marker(RaftClient client, long producerId, int epoch, boolean commit) throws IOException {
        return send(client, PartitionCommand.newBuilder().setTxnMarker(io.rlog.proto.TxnMarker.newBuilder()
                .setProducerId(producerId).setProducerEpoch(epoch).setCommit(commit).setCoordinatorEpoch(1)).build());
    }

    /** Several produce requests in one entry, as the node's coalescer proposes them. */
    static java.util.List<AppendReply> appendMany(RaftClient client, ByteBuffer... requests) throws IOException {
        io.rlog.proto.AppendMany.Builder many = io.rlog.proto.AppendMany.newBuilder();
        for (ByteBuffer r : requests) {
            many.addAppends(AppendBatches.newBuilder().setBatches(ByteString.copyFrom(r.duplicate())));
        }
        PartitionCommand cmd = PartitionCommand.newBuilder().setAppendMany(many).build();
        RaftClientReply reply = client.io().send(Message.valueOf(RatisBytes.of(cmd)));
        if (!reply.isSuccess()) {
            throw new IOException(reply.getException());
        }
        return io.rlog.proto.AppendManyReply.parseFrom(RatisBytes.toBuffer(reply.getMessage().getContent()))
                .getRepliesList();
    }

    RaftServer.Division division(int i) throws IOException {
        return servers[i].getDivision(group.getGroupId());
    }

    int leaderIndex() throws IOException {
        for (int i = 0; i < servers.length; i++) {
            try {
                if (division(i).getInfo().isLeader()) {
                    return i;
                }
            } catch (IOException | RuntimeException e) {
                // stopped server
            }
        }
        return -1;
    }

    static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    static RaftPeerId id(int i) {
        return RaftPeerId.valueOf("s" + i);
    }

    /** Free now and below Linux's ephemeral range, so no outgoing connection's source port can take it first. */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in 20000..32000 after 1000 tries");
    }

    @Override
    public void close() {
        for (RaftServer s : servers) {
            try {
                s.close();
            } catch (IOException | RuntimeException ignored) {
                // already closed
            }
        }
    }
}
