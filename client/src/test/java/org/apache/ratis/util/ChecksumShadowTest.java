package org.apache.ratis.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.Checksum;
import org.junit.jupiter.api.Test;

/**
 * rlog's {@link PureJavaCrc32C} against the class of that name in the Ratis jar, loaded apart: the same public
 * signatures (Ratis's log writer and reader call it by name) and the same checksums, over arrays, heap and direct
 * buffers, single bytes and resets. And this module's class is the one the launcher's class path loads first.
 */
class ChecksumShadowTest {

    @Test
    void theClassOnTheClassPathIsRlogsAndTheJarsIsRatiss() throws Exception {
        URL ours = PureJavaCrc32C.class.getProtectionDomain().getCodeSource().getLocation();
        assertTrue(ours.getPath().endsWith("/client/target/classes/"), ours.toString());
        try (URLClassLoader jar = ratisJar()) {
            Class<?> theirs = jar.loadClass(PureJavaCrc32C.class.getName());
            assertNotEquals(PureJavaCrc32C.class, theirs);
            assertTrue(theirs.getProtectionDomain().getCodeSource().getLocation().getPath().endsWith(".jar"));
        }
    }

    @Test
    void sameSignaturesAsRatissClass() throws Exception {
        try (URLClassLoader jar = ratisJar()) {
            Class<?> theirs = jar.loadClass(PureJavaCrc32C.class.getName());
            assertEquals(signatures(theirs), signatures(PureJavaCrc32C.class));
            assertEquals(theirs.getModifiers(), PureJavaCrc32C.class.getModifiers());
            assertEquals(Arrays.asList(theirs.getInterfaces()), Arrays.asList(PureJavaCrc32C.class.getInterfaces()));
        }
    }

    @Test
    void sameChecksumsAsRatissClass() throws Exception {
        try (URLClassLoader jar = ratisJar()) {
            Checksum theirs = (Checksum) jar.loadClass(PureJavaCrc32C.class.getName()).getConstructor().newInstance();
            Checksum ours = new PureJavaCrc32C();
            Random random = new Random(42);
            for (int size : new int[] {0, 1, 3, 8, 63, 1024, 65_536 + 7}) {
                byte[] bytes = new byte[size];
                random.nextBytes(bytes);
                int offset = size > 2 ? 1 : 0;
                for (Checksum c : new Checksum[] {theirs, ours}) {
                    c.reset();
                    c.update(bytes, offset, size - offset);
                }
                assertEquals(theirs.getValue(), ours.getValue(), "array of " + size);
                ByteBuffer direct = ByteBuffer.allocateDirect(size).put(bytes).flip();
                for (Checksum c : new Checksum[] {theirs, ours}) {
                    c.update(direct.duplicate()); // continues from the array's value
                    c.update(ByteBuffer.wrap(bytes));
                    c.update(size & 0xff);
                }
                assertEquals(theirs.getValue(), ours.getValue(), "buffers and a byte after " + size);
            }
        }
    }

    private static URLClassLoader ratisJar() {
        // JavaUtils lives in the same Ratis jar and is not shadowed; the platform loader as parent keeps the
        // class path (and so this module's class) out.
        URL jar = JavaUtils.class.getProtectionDomain().getCodeSource().getLocation();
        return new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
    }

    private static Set<String> signatures(Class<?> type) {
        Set<String> out = new TreeSet<>();
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers())) {
                out.add(describe(m) + " -> " + m.getReturnType().getName());
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (Modifier.isPublic(c.getModifiers())) {
                out.add(describe(c));
            }
        }
        return out;
    }

    private static String describe(Executable e) {
        return Modifier.toString(e.getModifiers()) + " " + e.getName() + Arrays.toString(e.getParameterTypes());
    }
}
