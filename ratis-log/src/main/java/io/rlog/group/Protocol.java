package io.rlog.group;

import java.util.Arrays;
import java.util.Objects;

/** One assignment protocol a member supports (e.g. "range"), with its opaque metadata (the subscription). */
public record Protocol(String name, byte[] metadata) {
    public Protocol {
        Objects.requireNonNull(name, "protocol name");
        metadata = metadata == null ? new byte[0] : metadata;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Protocol p && p.name.equals(name) && Arrays.equals(p.metadata, metadata);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(metadata);
    }

    @Override
    public String toString() {
        return name + "(" + metadata.length + " bytes)";
    }
}
