package io.rlog.chaos.history;

/** The producer's acks setting, which decides what the checker may expect of an acknowledged send. */
public enum Acks {
    ALL("all"), ONE("1"), ZERO("0");

    private final String config;

    Acks(String config) {
        this.config = config;
    }

    /** The value of the producer's {@code acks} setting. */
    public String config() {
        return config;
    }

    public static Acks parse(String config) {
        for (Acks a : values()) {
            if (a.config.equals(config)) {
                return a;
            }
        }
        throw new IllegalArgumentException("acks must be all, 1 or 0, not " + config);
    }
}
