package org.apache.ratis.util;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * Stands in for Ratis 3.3's class of the same name in every JVM that {@code bin/rlog} starts (this module's
 * classes come first on its class path): the same CRC-32C, computed by the JDK's {@link CRC32C}, whose loops the
 * JVM replaces with the processor's CRC32 instructions, instead of Ratis's table-driven Java loop. The Raft log
 * worker runs Ratis's checksum over every byte of every entry it writes, and under load that loop was 30 % of
 * the nodes' Java samples (docs/design-decisions.md, "Raft log checksums use the JDK's CRC32C").
 *
 * <p>Ratis's log writer and reader hold this class by name, so it keeps every public signature of the original
 * ({@code ChecksumShadowTest} compares them, and the values, against the class in the Ratis jar).
 */
public class PureJavaCrc32C implements Checksum {

    private final CRC32C crc = new CRC32C();

    public PureJavaCrc32C() {
        // Same constructor as the class it stands in for.
    }

    @Override
    public long getValue() {
        return crc.getValue();
    }

    @Override
    public void reset() {
        crc.reset();
    }

    @Override
    public void update(byte[] bytes, int offset, int length) {
        crc.update(bytes, offset, length);
    }

    @Override
    public void update(ByteBuffer buffer) {
        crc.update(buffer);
    }

    @Override
    public final void update(int b) {
        crc.update(b);
    }
}
