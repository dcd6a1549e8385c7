package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.peft4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Layer norm forward with any of x, y, mean and rstd off-heap (all 16 placements, and y = x in place on one
 * segment): y, mean and rstd bit for bit as on arrays (the off-heap rows are summed in the array loop's order and
 * normalized by the same loop), every float of each output written, the NaN margins around each slice untouched.
 * Widths cover a vector tail (37), a whole number of vectors (384) and rows wider than the kernel's L1 block (5000,
 * one row per block); row counts span several blocks and both workers; with and without β.
 */
class OffHeapLayerNormTest extends KernelTestBase {
    private static final int GAP = 5;

    @ParameterizedTest(name = "rows={0} d={1} beta={2}")
    @CsvSource({"1,37,true", "29,37,true", "67,384,true", "67,384,false", "9,5000,true"})
    void everyPlacementGivesTheArrayBits(int rows, int d, boolean withBeta) {
        Tensor x = rnd.uniform(rows, d), gamma = rnd.uniform(0.5f, 2f, d);
        Tensor beta = withBeta ? rnd.uniform(d) : null;
        Tensor y = poisoned(rows, d), mean = poisoned(rows), rstd = poisoned(rows);
        CPU.layerNormForward(x, gamma, beta, 1e-5f, y, mean, rstd);
        for (int placement = 1; placement < 16; placement++) {
            try (Arena arena = Arena.ofShared()) {
                long floats = 2L * rows * d + 2L * rows + 8L * GAP;
                MemorySegment all = arena.allocate(4 * floats, 4);
                all.fill((byte) 0xff); // NaN: the margins must stay so, and an output float left unwritten shows
                long[] at = {GAP, 2L * GAP + (long) rows * d, 3L * GAP + 2L * rows * d, 4L * GAP + 2L * rows * d + rows};
                Tensor xs = (placement & 1) != 0 ? slice(all, at[0], x) : x;
                Tensor ys = (placement & 2) != 0 ? Tensor.wrap(all.asSlice(4 * at[1], 4L * rows * d), rows, d)
                        : poisoned(rows, d);
                Tensor ms = (placement & 4) != 0 ? Tensor.wrap(all.asSlice(4 * at[2], 4L * rows), rows) : poisoned(rows);
                Tensor rs = (placement & 8) != 0 ? Tensor.wrap(all.asSlice(4 * at[3], 4L * rows), rows) : poisoned(rows);
                CPU.layerNormForward(xs, gamma, beta, 1e-5f, ys, ms, rs);
                String where = "placement " + Integer.toBinaryString(placement) + " (bits: rstd mean y x off-heap)";
                same(where + ", y", y, ys);
                same(where + ", mean", mean, ms);
                same(where + ", rstd", rstd, rs);
                long[] ends = {at[0] + (long) rows * d, at[1] + (long) rows * d, at[2] + rows, at[3] + rows};
                margins(all, at, ends, floats, where);
            }
        }
    }

    @ParameterizedTest(name = "rows={0} d={1}")
    @CsvSource({"29,37", "67,384"})
    void inPlaceOnOneSegment(int rows, int d) {
        Tensor x = rnd.uniform(rows, d), gamma = rnd.uniform(0.5f, 2f, d), beta = rnd.uniform(d);
        Tensor y = poisoned(rows, d), mean = poisoned(rows), rstd = poisoned(rows);
        CPU.layerNormForward(x, gamma, beta, 1e-5f, y, mean, rstd);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment all = arena.allocate(4L * rows * d, 4);
            Tensor xy = slice(all, 0, x);
            CPU.layerNormForward(xy, gamma, beta, 1e-5f, xy, mean, rstd);
            same("y written over x", y, xy);
        }
    }

    private static void same(String what, Tensor want, Tensor got) {
        float[] w = want.toArray(), g = got.toArray();
        for (int i = 0; i < w.length; i++) {
            if (Float.floatToRawIntBits(g[i]) != Float.floatToRawIntBits(w[i])) {
                fail(what + "[" + i + "]: " + g[i] + ", on arrays " + w[i]);
            }
        }
    }

    private static void margins(MemorySegment all, long[] starts, long[] ends, long floats, String where) {
        for (long i = 0; i < floats; i++) {
            boolean inside = false;
            for (int t = 0; t < starts.length; t++) {
                inside |= i >= starts[t] && i < ends[t];
            }
            if (!inside && !Float.isNaN(all.getAtIndex(ValueLayout.JAVA_FLOAT, i))) {
                fail(where + ": the margin float " + i + " was overwritten");
            }
        }
    }

    private static Tensor slice(MemorySegment all, long at, Tensor t) {
        float[] v = t.toArray();
        MemorySegment.copy(v, 0, all, ValueLayout.JAVA_FLOAT, 4 * at, v.length);
        return Tensor.wrap(all.asSlice(4 * at, 4L * v.length), t.shape());
    }
}
