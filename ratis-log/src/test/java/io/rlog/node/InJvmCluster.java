package io.rlog.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Several real rlog nodes (Ratis server, RocksDB, Kafka listener on real sockets) in this JVM, for tests that
 * need no process control. Tests that kill or pause nodes use the multi-process LocalCluster instead.
 */
public final class InJvmCluster implements AutoCloseable {

    /**
     * Ratis's injection point at the start of a follower's appendEntries (RaftServerImpl.APPEND_ENTRIES, package
     * private); its arguments are the previous entry's TermIndex and the AppendEntriesRequestProto.
     */
    static final String RATIS_APPEND_ENTRIES = "RaftServerImpl.appendEntries";

    /**
     * Makes followers hold back appendEntries: every one that carries entries for {@code group}, received by a peer
     * {@code onPeer} accepts, waits for the latch {@code gate} gives at that moment (none: it goes through), at
     * most {@code maxS} seconds so that a broken test cannot hang the build. Remove with
     * {@code CodeInjectionForTesting.remove(RATIS_APPEND_ENTRIES)}.
     */
    static void holdAppendEntries(org.apache.ratis.protocol.RaftGroupId group,
                                  java.util.function.Predicate<Object> onPeer,
                                  java.util.function.Supplier<java.util.concurrent.CountDownLatch> gate, long maxS) {
        org.apache.ratis.util.CodeInjectionForTesting.put(RATIS_APPEND_ENTRIES, (local, remote, args) -> {
            var request = (org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto) args[1];
            java.util.concurrent.CountDownLatch latch = gate.get();
            if (latch != null && onPeer.test(local) && request.getEntriesCount() > 0 && group.equals(
                    org.apache.ratis.protocol.RaftGroupId.valueOf(request.getServerRequest().getRaftGroupId().getId()))) {
                try {
                    latch.await(maxS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        });
    }

    private final RlogServer[] nodes;
    private final Map<String, String>[] settings;
    private final int[] kafkaPorts;

    @SuppressWarnings("unchecked")
    public InJvmCluster(Path dir, int n, Map<String, String> extra) throws Exception {
        nodes = new RlogServer[n];
        settings = new Map[n];
        kafkaPorts = new int[n];
        StringJoiner peers = new StringJoiner(",");
        for (int i = 0; i < n; i++) {
            kafkaPorts[i] = freePort();
            peers.add((i + 1) + "@127.0.0.1:" + freePort() + ":" + kafkaPorts[i]);
        }
        for (int i = 0; i < n; i++) {
            Map<String, String> s = new HashMap<>(extra);
            s.put("node.id", String.valueOf(i + 1));
            s.put("cluster.nodes", peers.toString());
            s.put("data.dir", dir.resolve("node-" + (i + 1)).toString());
            s.put("http.port", "0");
            settings[i] = s;
        }
        for (int i = 0; i < n; i++) {
            nodes[i] = new RlogServer(NodeConfig.fromMap(settings[i], null));
            nodes[i].start();
        }
        await("every node healthy", 30_000, () -> {
            for (RlogServer s : nodes) {
                if (!s.healthy()) {
                    return false;
                }
            }
            return true;
        });
    }

    /** What a test does to a node's files while the node is stopped. */
    public interface WhileStopped {
        void run(Path dataDir) throws Exception;
    }

    /** Closes node {@code id}, runs {@code action} on its data folder, then starts it again on the same config. */
    public void restart(int id, WhileStopped action) throws Exception {
        nodes[id - 1].close();
        nodes[id - 1] = null;
        action.run(Path.of(settings[id - 1].get("data.dir")));
        nodes[id - 1] = new RlogServer(NodeConfig.fromMap(settings[id - 1], null));
        nodes[id - 1].start();
    }

    public String bootstrapServers() {
        StringJoiner j = new StringJoiner(",");
        for (int p : kafkaPorts) {
            j.add("127.0.0.1:" + p);
        }
        return j.toString();
    }

    /** A consumer of String keys and values on this cluster, in no group: tests assign its partitions. */
    public org.apache.kafka.clients.consumer.KafkaConsumer<String, String> stringConsumer() {
        String deserializer = org.apache.kafka.common.serialization.StringDeserializer.class.getName();
        return new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, deserializer,
                org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, deserializer));
    }

    public RlogServer node(int id) {
        return nodes[id - 1];
    }

    public int size() {
        return nodes.length;
    }

    public static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /**
     * A port that is free now, below Linux's ephemeral range (32768+): a port the kernel handed out with
     * {@code new ServerSocket(0)} can be taken again as the source port of any outgoing connection (the nodes'
     * own gRPC clients included) before the node binds it.
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
            // A cluster's ports are all chosen before any node binds one, so "free now" alone let two of its nodes
            // draw the same port (a node then failed to bind, and Ratis's gRPC server ended the test JVM).
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in 20000..32000 after 1000 tries");
    }

    /** Every port {@link #freePort} returned in this JVM: never handed out twice. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public void close() {
        for (RlogServer s : nodes) {
            if (s != null) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // best effort: the test is over
                }
            }
        }
    }
}
