package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's rule for vector code: no method takes or returns a vector or a mask. A vector passed to or
 * returned from a method C2 does not inline is boxed on the heap, and whether C2 inlines a helper varies from JVM
 * to JVM (GeluLoops' per-vector helper ran GELU 1.6 × slower in about a third of the JVMs). Helpers take and return
 * arrays instead. The one exception is {@link Simd#sum}, called once per row, whose order of additions must be the
 * same everywhere.
 */
class NoVectorCrossesACallTest {
    @Test
    void noMethodOfTheBackendTakesOrReturnsAVector() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(CpuBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = classes.resolve("dev/peft4j/cpu");
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = "dev.peft4j.cpu." + f.getFileName().toString().replace(".class", "");
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                for (Method m : c.getDeclaredMethods()) {
                    checked++;
                    boolean vector = isVector(m.getReturnType())
                            || Arrays.stream(m.getParameterTypes()).anyMatch(NoVectorCrossesACallTest::isVector);
                    if (vector && !(c == Simd.class && m.getName().equals("sum"))) {
                        offenders.add(c.getSimpleName() + "." + m.getName());
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "methods that take or return a vector (checked " + checked + ")");
    }

    private static boolean isVector(Class<?> t) {
        return Vector.class.isAssignableFrom(t) || VectorMask.class.isAssignableFrom(t);
    }
}
