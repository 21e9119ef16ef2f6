package io.rlog.cli.local;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * The files of a local cluster directory:
 * <pre>
 *   DIR/cluster.properties        nodes, base.port, bootstrap.servers and every node's ports
 *   DIR/node-K/node.properties    the node's config, as `rlog server --config` reads it
 *   DIR/node-K/data/              the node's data.dir
 *   DIR/node-K/server.log         the node JVM's stdout and stderr, appended across restarts
 *   DIR/node-K/pid                see {@link PidFile}
 * </pre>
 */
final class ClusterFiles {
    static final String CLUSTER_FILE = "cluster.properties";
    /** Keys the tool computes for each node; `--set` may not override them. */
    static final Set<String> RESERVED_KEYS =
            Set.of("node.id", "cluster.nodes", "listener.host", "kafka.port", "raft.port", "http.port", "data.dir");
    /** Keys and values that java.util.Properties reads back unchanged when written as is. */
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern PLAIN_VALUE = Pattern.compile("([!-~][ -~]*)?");

    private ClusterFiles() {}

    static Path nodeDir(Path dir, int node) {
        return dir.resolve("node-" + node);
    }

    static void validateSettings(Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (RESERVED_KEYS.contains(key)) {
                throw new IllegalArgumentException("--set " + key + " is not allowed: the tool sets it per node");
            }
            if (key.isBlank()) {
                throw new IllegalArgumentException("--set needs a non-empty key");
            }
        }
    }

    static String nodeConfig(int node, PortScheme ports, String host, Path dataDir, Map<String, String> settings) {
        return nodeConfig(node, ports, host, k -> host, dataDir, settings);
    }

    /** @param peerHosts the host that cluster.nodes gives each node; {@code host} stays the listener's bind host */
    static String nodeConfig(int node, PortScheme ports, String host, IntFunction<String> peerHosts, Path dataDir,
                             Map<String, String> settings) {
        StringBuilder out = new StringBuilder("# written by rlog local start; edits are lost on the next start\n");
        line(out, "node.id", Integer.toString(node));
        line(out, "cluster.nodes", ports.clusterNodes(peerHosts));
        line(out, "listener.host", host);
        line(out, "kafka.port", Integer.toString(ports.kafkaPort(node)));
        line(out, "raft.port", Integer.toString(ports.raftPort(node)));
        line(out, "http.port", Integer.toString(ports.httpPort(node)));
        line(out, "data.dir", dataDir.toAbsolutePath().toString());
        Map<String, String> rest = new TreeMap<>(Map.of("raft.log.fsync", "always"));
        rest.putAll(settings);
        rest.forEach((k, v) -> line(out, k, v));
        return out.toString();
    }

    static String clusterFile(PortScheme ports, String host) {
        StringBuilder out = new StringBuilder("# written by rlog local start\n");
        line(out, "nodes", Integer.toString(ports.nodes()));
        line(out, "base.port", Integer.toString(ports.basePort()));
        line(out, "host", host);
        line(out, "bootstrap.servers", ports.bootstrapServers(host));
        for (int k = 1; k <= ports.nodes(); k++) {
            line(out, "node." + k + ".kafka.port", Integer.toString(ports.kafkaPort(k)));
            line(out, "node." + k + ".raft.port", Integer.toString(ports.raftPort(k)));
            line(out, "node." + k + ".http.port", Integer.toString(ports.httpPort(k)));
        }
        return out.toString();
    }

    /** Empty properties when the file is absent. */
    static Properties readCluster(Path dir) throws IOException {
        Properties p = new Properties();
        Path file = dir.resolve(CLUSTER_FILE);
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        return p;
    }

    static PortScheme schemeOf(Properties cluster, Path dir) {
        try {
            return new PortScheme(Integer.parseInt(cluster.getProperty("base.port", "")),
                    Integer.parseInt(cluster.getProperty("nodes", "")));
        } catch (IllegalArgumentException e) {
            throw new LocalClusterException("malformed " + dir.resolve(CLUSTER_FILE) + ": " + e.getMessage());
        }
    }

    /** Writes then renames, so a reader sees the old file or the new one, never half of one. */
    static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * One key=value line. Plain ASCII is written as is, for people reading the file; anything else gets
     * java.util.Properties escaping, so every --set value reads back unchanged.
     */
    private static void line(StringBuilder out, String key, String value) {
        if (PLAIN_KEY.matcher(key).matches() && PLAIN_VALUE.matcher(value).matches() && value.indexOf('\\') < 0) {
            out.append(key).append('=').append(value).append('\n');
            return;
        }
        Properties one = new Properties();
        one.setProperty(key, value);
        StringWriter w = new StringWriter();
        try {
            one.store(w, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        w.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> out.append(l).append('\n'));
    }
}
