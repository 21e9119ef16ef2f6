package io.rlog.node;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One node's configuration, read from a properties file ({@code rlog server --config FILE}).
 *
 * @param peers the initial voters, as {@code cluster.nodes=id@host:raftPort:kafkaPort,...}; order is id order
 * @param settings every key of the file, for the listener and Ratis settings read elsewhere
 */
public record NodeConfig(int nodeId, List<Peer> peers, String listenerHost, int kafkaPort, int raftPort,
                         int httpPort, Path dataDir, Fsync fsync, Map<String, String> settings) {

    public record Peer(int id, String host, int raftPort, int kafkaPort) {}

    /** Raft log durability (DESIGN: durability settings). */
    public enum Fsync {
        /** fsync before a replica counts toward the quorum (default). */
        ALWAYS,
        /** Ratis unsafe flush: faster, loses the un-fsynced tail when a majority crashes at once. */
        BACKGROUND
    }

    public NodeConfig {
        peers = List.copyOf(peers);
        settings = Collections.unmodifiableMap(new HashMap<>(settings));
        if (peers.stream().noneMatch(p -> p.id() == nodeId)) {
            throw new IllegalArgumentException("node.id " + nodeId + " is not in cluster.nodes " + peers);
        }
    }

    public static NodeConfig load(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        }
        Map<String, String> all = new HashMap<>();
        props.stringPropertyNames().forEach(k -> all.put(k, props.getProperty(k).trim()));
        return fromMap(all, file.toAbsolutePath().getParent());
    }

    static NodeConfig fromMap(Map<String, String> all, Path base) {
        int nodeId = Integer.parseInt(required(all, "node.id"));
        List<Peer> peers = parsePeers(required(all, "cluster.nodes"));
        Peer self = peers.stream().filter(p -> p.id() == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("node.id " + nodeId + " is not in cluster.nodes"));
        Path data = Path.of(all.getOrDefault("data.dir", "data"));
        if (!data.isAbsolute() && base != null) {
            data = base.resolve(data);
        }
        Fsync fsync = switch (all.getOrDefault("raft.log.fsync", "always")) {
            case "always" -> Fsync.ALWAYS;
            case "background" -> Fsync.BACKGROUND;
            default -> throw new IllegalArgumentException("raft.log.fsync must be always or background, not "
                    + all.get("raft.log.fsync"));
        };
        return new NodeConfig(nodeId, peers, all.getOrDefault("listener.host", self.host()),
                Integer.parseInt(all.getOrDefault("kafka.port", String.valueOf(self.kafkaPort()))),
                Integer.parseInt(all.getOrDefault("raft.port", String.valueOf(self.raftPort()))),
                Integer.parseInt(all.getOrDefault("http.port", "0")), data, fsync, all);
    }

    static List<Peer> parsePeers(String spec) {
        List<Peer> peers = new ArrayList<>();
        for (String part : spec.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            String[] idRest = s.split("@", 2);
            String[] hostPorts = idRest.length == 2 ? idRest[1].split(":") : new String[0];
            if (hostPorts.length != 3) {
                throw new IllegalArgumentException("cluster.nodes entry '" + s + "' is not id@host:raftPort:kafkaPort");
            }
            peers.add(new Peer(Integer.parseInt(idRest[0]), hostPorts[0], Integer.parseInt(hostPorts[1]),
                    Integer.parseInt(hostPorts[2])));
        }
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("cluster.nodes is empty");
        }
        peers.sort(java.util.Comparator.comparingInt(Peer::id));
        return peers;
    }

    private static String required(Map<String, String> all, String key) {
        String v = all.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing required setting " + key);
        }
        return v;
    }

    public String setting(String key, String dflt) {
        return settings.getOrDefault(key, dflt);
    }

    public int intSetting(String key, int dflt) {
        return Integer.parseInt(settings.getOrDefault(key, String.valueOf(dflt)));
    }

    public long longSetting(String key, long dflt) {
        return Long.parseLong(settings.getOrDefault(key, String.valueOf(dflt)));
    }

    /** true or false (any case); anything else is refused rather than read as false. */
    public boolean boolSetting(String key, boolean dflt) {
        String v = settings.getOrDefault(key, String.valueOf(dflt));
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got " + v);
        }
        return Boolean.parseBoolean(v);
    }

    /** The metadata group's voters: the first 5 nodes, or 3, or all when fewer; the rest are Ratis listeners. */
    public int metadataVoterCount() {
        int n = peers.size();
        return n >= 5 ? 5 : Math.min(n, 3);
    }

    public Peer peer(int id) {
        return peers.stream().filter(p -> p.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + id));
    }
}
