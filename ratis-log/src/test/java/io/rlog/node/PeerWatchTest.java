package io.rlog.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * PeerWatch on real loopback sockets: a peer that speaks first is up; its port refusing connections afterwards
 * is down, reported once; silence proves nothing.
 */
class PeerWatchTest {

    /** How a fake peer treats a connection. */
    enum Manner {
        /** sends bytes at once, as a gRPC server sends its HTTP/2 preface */
        SPEAKS,
        /** says nothing, as a paused process */
        SILENT,
        /** closes it at once, as the chaos tests' proxy in front of a dead process */
        CLOSES
    }

    /** A stand-in for a peer's Raft port. */
    static final class FakePeer implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        FakePeer(Manner manner) throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        accepted.add(s);
                        if (manner == Manner.SPEAKS) {
                            s.getOutputStream().write(new byte[] {0, 0, 0, 4});
                            s.getOutputStream().flush();
                        } else if (manner == Manner.CLOSES) {
                            s.close();
                        }
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "fake-peer");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return InetSocketAddress.createUnresolved("127.0.0.1", server.getLocalPort());
        }

        /**
         * What a SIGKILL does to a process's sockets: the port closes, then every connection. The acceptor is
         * waited for first: until its blocked accept returns, the kernel keeps the port listening, and a reconnect
         * accepted in that window would stay open and answer as a live peer does. One full build failed that way
         * (the watcher kept the peer up for 10 s after close).
         */
        @Override
        public void close() throws IOException {
            server.close();
            try {
                acceptor.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aPeerThatWasUpAndNowRefusesIsDownAndReportedOnce() throws Exception {
        List<Integer> downs = new CopyOnWriteArrayList<>();
        try (FakePeer peer = new FakePeer(Manner.SPEAKS);
             PeerWatch watch = new PeerWatch(Map.of(7, peer.address()), 20, 1_000, downs::add)) {
            watch.start();
            InJvmCluster.await("the peer seen up", 10_000, () -> watch.isUp(7));
            peer.close();
            InJvmCluster.await("the peer seen down", 10_000, () -> watch.isDown(7));
            long seen = watch.attempts(7);
            InJvmCluster.await("five more probes", 10_000, () -> watch.attempts(7) >= seen + 5);
            assertEquals(List.of(7), downs, "several more probes, all refused: still one report");
            assertTrue(watch.isDown(7));
        }
    }

    @Test
    void aPeerThatClosesBeforeSpeakingIsDownButWasNeverUpSoNothingIsReported() throws Exception {
        List<Integer> downs = new CopyOnWriteArrayList<>();
        try (FakePeer proxy = new FakePeer(Manner.CLOSES);
             PeerWatch watch = new PeerWatch(Map.of(3, proxy.address()), 20, 1_000, downs::add)) {
            watch.start();
            InJvmCluster.await("the peer seen down", 10_000, () -> watch.isDown(3));
            assertEquals(List.of(), downs);
        }
    }

    @Test
    void aSilentPeerIsNeitherUpNorDown() throws Exception {
        List<Integer> downs = new CopyOnWriteArrayList<>();
        FakePeer gone = new FakePeer(Manner.SPEAKS);
        gone.close(); // its port now refuses: the watcher probes it every interval, a clock for this test
        try (FakePeer paused = new FakePeer(Manner.SILENT);
             PeerWatch watch = new PeerWatch(Map.of(2, paused.address(), 9, gone.address()), 20, 1_000,
                     downs::add)) {
            watch.start();
            InJvmCluster.await("the connection accepted", 10_000, () -> !paused.accepted.isEmpty());
            InJvmCluster.await("ten probes of the refusing port", 10_000, () -> watch.attempts(9) >= 10);
            assertEquals(PeerWatch.State.UNKNOWN, watch.state(2));
            assertEquals(1, watch.attempts(2), "one connection, held: silence is not a reason to reconnect");
            assertEquals(List.of(), downs);
        }
    }
}
