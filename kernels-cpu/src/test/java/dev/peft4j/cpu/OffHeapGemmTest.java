package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.peft4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The GEMM on off-heap operands: x, W and y of {@code linearForward} as slices of one native segment give y bit for
 * bit as on arrays (the off-heap rows of x are copied out per row block and read by the same micro-kernel, in the
 * same order), and the floats around each slice keep their NaN. Sizes cover partial row and column strips, several
 * row blocks (m &gt; MC), several k blocks (k &gt; KC) and the narrow kernel (n ≤ one vector). A confined arena's
 * segment, which the workers may not touch, is copied on the calling thread and gives the same bits.
 */
class OffHeapGemmTest extends KernelTestBase {
    @ParameterizedTest(name = "m={0} k={1} n={2} confined={3}")
    @CsvSource({"7,5,3,false", "13,37,29,false", "130,384,384,false", "301,900,70,false", "257,65,1536,false",
            "50,391,8,false", "1000,64,17,false", "301,900,70,true", "50,391,8,true"})
    void linearForwardOffHeapIsBitForBitTheArrayResult(int m, int k, int n, boolean confined) {
        Tensor x = rnd.uniform(m, k), w = rnd.uniform(n, k), bias = rnd.uniform(n);
        Tensor expected = poisoned(m, n);
        CPU.linearForward(x, w, bias, expected);
        try (Arena arena = confined ? Arena.ofConfined() : Arena.ofShared()) {
            int gap = 5;
            long floats = (long) m * k + (long) n * k + (long) m * n + 4L * gap;
            MemorySegment all = arena.allocate(4 * floats, 4);
            all.fill((byte) 0xff); // NaN everywhere: margins stay so, y's floats must all be written
            long at = gap;
            Tensor xs = slice(all, at, x);
            at += x.numel() + gap;
            Tensor ws = slice(all, at, w);
            at += w.numel() + gap;
            long yAt = at;
            Tensor ys = Tensor.wrap(all.asSlice(4 * yAt, 4L * m * n), m, n);
            CPU.linearForward(xs, ws, bias, ys);
            float[] want = expected.toArray();
            for (int i = 0; i < want.length; i++) {
                float got = all.getAtIndex(ValueLayout.JAVA_FLOAT, yAt + i);
                if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(want[i])) {
                    fail("y[" + i / n + "," + i % n + "] off-heap " + got + ", on arrays " + want[i]);
                }
            }
            for (long i = yAt - gap; i < floats; i++) {
                if ((i < yAt || i >= yAt + (long) m * n) && !Float.isNaN(all.getAtIndex(ValueLayout.JAVA_FLOAT, i))) {
                    fail("the margin around y at float " + i + " was overwritten");
                }
            }
        }
    }

    private static Tensor slice(MemorySegment all, long at, Tensor t) {
        float[] v = t.toArray();
        MemorySegment.copy(v, 0, all, ValueLayout.JAVA_FLOAT, 4 * at, v.length);
        return Tensor.wrap(all.asSlice(4 * at, 4L * v.length), t.shape());
    }
}
