package io.rlog.cli.common;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where a client command connects: --bootstrap, else the bootstrap.servers of --dir's cluster.properties
 * (written by `rlog local start`), else localhost:9092. Mixed into topics, produce and consume.
 */
public final class ConnectionOptions {
    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    @Option(names = {"--bootstrap", "--bootstrap-server"}, paramLabel = "HOST:PORT[,...]",
            description = "brokers to bootstrap from (default: --dir's cluster, else " + DEFAULT_BOOTSTRAP + ")")
    String bootstrap;

    @Option(names = "--dir", paramLabel = "DIR", description = "a local cluster's directory, to read its bootstrap servers")
    Path dir;

    @Option(names = "--property", paramLabel = "KEY=VALUE",
            description = "extra Kafka client config, e.g. --property linger.ms=50; repeatable")
    Map<String, String> properties = new LinkedHashMap<>();

    public String bootstrapServers() throws IOException {
        if (bootstrap != null) {
            return bootstrap;
        }
        if (dir == null) {
            return DEFAULT_BOOTSTRAP;
        }
        Path file = dir.resolve("cluster.properties");
        if (!Files.exists(file)) {
            throw new IOException("no " + file + "; start a cluster there with `rlog local start --dir " + dir
                    + "` or pass --bootstrap");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String servers = p.getProperty("bootstrap.servers");
        if (servers == null || servers.isBlank()) {
            throw new IOException(file + " has no bootstrap.servers");
        }
        return servers;
    }

    /**
     * Client config: bootstrap.servers and client.id, then the command's own {@code defaults}, then every
     * --property, which wins over both.
     */
    public Properties clientConfig(String clientId, Map<String, Object> defaults) throws IOException {
        Properties config = new Properties();
        config.put("bootstrap.servers", bootstrapServers());
        config.put("client.id", clientId);
        config.putAll(defaults);
        config.putAll(properties);
        return config;
    }
}
