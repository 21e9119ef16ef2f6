package io.rlog.chaos.workload;

import io.rlog.chaos.history.Acks;

import java.util.Locale;

/** The producer configurations the workload runs, each with what the checker may expect of it. */
public enum ProducerMode {
    /** enable.idempotence=true, acks=all: nothing acknowledged is lost, nothing is duplicated, order holds. */
    IDEMPOTENT(Acks.ALL, true),
    /** acks=1 without idempotence: may lose acknowledged writes across a leader change. */
    ACKS_1(Acks.ONE, false),
    /** acks=0: no acknowledgement, no durability claim; reads must still be consistent. */
    ACKS_0(Acks.ZERO, false),
    /**
     * transactional.id set (idempotent, acks=all): each transaction's values are committed all together or not at
     * all; read_committed readers see exactly the committed ones (KIP-98). Run by {@link TransactionalWorker}.
     */
    TRANSACTIONAL(Acks.ALL, true);

    private final Acks acks;
    private final boolean idempotent;

    ProducerMode(Acks acks, boolean idempotent) {
        this.acks = acks;
        this.idempotent = idempotent;
    }

    public boolean transactional() {
        return this == TRANSACTIONAL;
    }

    public Acks acks() {
        return acks;
    }

    public boolean idempotent() {
        return idempotent;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ProducerMode parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
