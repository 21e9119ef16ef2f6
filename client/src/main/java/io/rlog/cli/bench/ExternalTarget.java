package io.rlog.cli.bench;

import java.util.List;
import java.util.Map;

/** Any cluster at --bootstrap: the bench only connects, so it measures but cannot fault or observe nodes. */
final class ExternalTarget implements Target {
    private final String bootstrap;

    ExternalTarget(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Override
    public String system() {
        return "external";
    }

    @Override
    public String bootstrapServers() {
        return bootstrap;
    }

    @Override
    public List<Integer> nodes() {
        return List.of();
    }

    @Override
    public Map<Integer, Long> pids() {
        return Map.of();
    }

    @Override
    public void kill(int node) {
        throw unsupported();
    }

    @Override
    public void pause(int node) {
        throw unsupported();
    }

    @Override
    public void resume(int node) {
        throw unsupported();
    }

    @Override
    public void restart(List<Integer> nodes) {
        throw unsupported();
    }

    @Override
    public Map<String, String> topicConfigs(int rf) {
        return Map.of();
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("bootstrap.servers", bootstrap);
    }

    @Override
    public void close() {
        // not ours to stop
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("faults need a cluster the bench started (no --bootstrap)");
    }
}
