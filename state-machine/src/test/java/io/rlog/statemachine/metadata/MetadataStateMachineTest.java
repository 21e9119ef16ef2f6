package io.rlog.statemachine.metadata;

import io.rlog.proto.AllocateProducerIds;
import io.rlog.proto.MetadataCommand;
import io.rlog.proto.MetadataImage;
import io.rlog.proto.MetadataReply;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetadataStateMachineTest {

    @TempDir
    Path dir;

    /**
     * A listener that throws (a closing node's executor refusing a task) must not reach Ratis: an exception out of
     * applyTransaction left Ratis 3.3's updater spinning, later entries unapplied and the server's close hung.
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFailingListenerStopsNeitherApplyingNorClosing() throws Exception {
        AtomicInteger told = new AtomicInteger();
        MetadataStateMachine sm = new MetadataStateMachine(new MetadataStateMachine.Events() {
            @Override
            public void imageChanged(MetadataImage image) {
                told.incrementAndGet();
                throw new IllegalStateException("executor shut down");
            }

            @Override
            public void leaderChanged(RaftGroupId groupId, RaftPeerId newLeaderId) {
                throw new IllegalStateException("executor shut down");
            }
        });
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RaftPeer peer = RaftPeer.newBuilder().setId("m0").setAddress("127.0.0.1:" + port).build();
        RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), List.of(peer));
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setPort(p, port);
        RaftServerConfigKeys.setStorageDir(p, List.of(dir.toFile()));
        RaftServer server = RaftServer.newBuilder().setServerId(peer.getId()).setGroup(group).setProperties(p)
                .setOption(RaftStorage.StartupOption.FORMAT).setStateMachine(sm).build();
        server.start();
        try (RaftClient client = RaftClient.newBuilder().setProperties(p).setRaftGroup(group).build()) {
            for (int i = 1; i <= 3; i++) {
                MetadataCommand cmd = MetadataCommand.newBuilder().setAllocateProducerIds(
                        AllocateProducerIds.newBuilder().setNodeId(1).setCount(10)).build();
                RaftClientReply reply = client.async().send(Message.valueOf(RatisBytes.of(cmd)))
                        .get(10, TimeUnit.SECONDS);
                assertTrue(reply.isSuccess(), () -> String.valueOf(reply.getException()));
                MetadataReply r = MetadataReply.parseFrom(RatisBytes.toBuffer(reply.getMessage().getContent()));
                assertEquals(1 + 10L * (i - 1), r.getFirstProducerId(), "write " + i + " applied");
            }
        } finally {
            server.close(); // hung for ever before, on the updater that had caught the listener's exception
        }
        assertEquals(31, sm.image().getNextProducerId());
        assertTrue(told.get() >= 3, "the listener was told of every write");
    }
}
