package io.rlog.cli.local;

/**
 * An operating error of a local cluster (a node died or never became healthy, the directory holds running
 * nodes or another layout): the message says what happened and, where a node failed, ends with its log tail.
 */
public class LocalClusterException extends RuntimeException {
    public LocalClusterException(String message) {
        super(message);
    }
}
