package dev.peft4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.MemoryAccounting;
import dev.peft4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@code prepare(w)}: linearForward on a weight packed once gives exactly the bits of the unprepared call (same
 * panels, same micro-kernel) and matches the reference, on odd sizes, two k blocks, row and column splits across
 * threads, a weight too narrow to pack, and a weight wrapped at an offset; the packed copy is counted while held,
 * and off-heap panels are freed when the last holder (the backend, a forward in flight) lets go.
 */
class PreparedWeightTest extends KernelTestBase {

    private void check(int n, int in, int out, boolean wrapW) {
        Tensor x = rnd.uniform(n, in);
        Tensor wOwned = rnd.uniform(out, in);
        Tensor w = wrapW ? wrapAt(wOwned, 11) : wOwned;
        Tensor bias = rnd.uniform(out);
        Tensor ref = zeros(n, out);
        REF.linearForward(x, wOwned, bias, ref);
        Tensor plain = poisoned(n, out);
        CPU.linearForward(x, w, bias, plain);

        Tensor prepared = poisoned(n, out);
        Tensor after = poisoned(n, out);
        long before = MemoryAccounting.liveBytes(Device.CPU);
        CPU.prepare(w);
        long held = MemoryAccounting.liveBytes(Device.CPU) - before;
        long expected = out <= Sgemm.NR_NARROW ? 0 : 4L * in * ((out + Sgemm.NR - 1) / Sgemm.NR * Sgemm.NR);
        assertEquals(expected, held, "bytes held for the packed weight [" + out + ", " + in + "]");
        CPU.linearForward(x, w, bias, prepared);
        String what = "linearForward N=" + n + " in=" + in + " out=" + out + (wrapW ? " (w wrapped)" : "");
        assertArrayEquals(plain.toArray(), prepared.toArray(), what + ": prepared and unprepared differ");
        close(what + " prepared", prepared, ref);
        CPU.unprepare(w);
        assertEquals(before, MemoryAccounting.liveBytes(Device.CPU), "unprepare frees the packed weight");
        CPU.linearForward(x, w, bias, after);
        assertArrayEquals(plain.toArray(), after.toArray(), what + ": after unprepare");
    }

    private static Tensor wrapAt(Tensor t, int offset) {
        float[] v = t.toArray();
        float[] big = new float[offset + v.length + 5];
        java.util.Arrays.fill(big, Float.NaN);
        System.arraycopy(v, 0, big, offset, v.length);
        return Tensor.wrap(big, offset, t.shape());
    }

    @Test
    void oddSizesOneKBlock() {
        check(37, 53, 97, false);
    }

    @Test
    void twoKBlocksAndRowSplit() {
        check(130, 500, 45, false);
    }

    @Test
    void fewRowsSplitByColumns() {
        check(8, 600, 500, false);
    }

    @Test
    void aNarrowWeightIsNotPackedAndStillCorrect() {
        check(5, 33, 7, false);
    }

    @Test
    void aWrappedWeight() {
        check(29, 71, 131, true);
    }

    @Test
    void preparingAgainRefreshesAChangedWeight() {
        Tensor x = rnd.uniform(9, 40);
        Tensor w = rnd.uniform(60, 40);
        CPU.prepare(w);
        w.copyFrom(rnd.uniform(60, 40).toArray());
        CPU.prepare(w);
        Tensor ref = zeros(9, 60);
        REF.linearForward(x, w, null, ref);
        Tensor y = poisoned(9, 60);
        CPU.linearForward(x, w, null, y);
        close("linearForward after re-prepare", y, ref);
        CPU.unprepare(w);
    }

    @Test
    void offHeapPanelsLiveUntilTheLastHolderReleasesThem() {
        float[] w = rnd.uniform(100, 40).toArray();
        PackedWeight p = PackedWeight.of(w, 0, 100, 40);
        assertTrue(p.readable());
        p.retain(); // a forward in flight
        p.release(); // the backend lets go (unprepare)
        assertTrue(p.readable(), "freed while a forward still held it");
        p.release(); // the forward ends
        assertEquals(Sgemm.ALIGNED_PANELS, !p.readable(), "off-heap panels are freed by the last release");
        assertThrows(IllegalStateException.class, p::retain);
        assertThrows(IllegalStateException.class, p::release);
    }

    @Test
    void unprepareAndCloseFreeTheOffHeapPanels() {
        Tensor w = rnd.uniform(100, 40);
        Tensor x = rnd.uniform(7, 40);
        try (CpuBackend be = new CpuBackend(2, false)) {
            be.prepare(w);
            PackedWeight first = be.preparedFor(w);
            be.prepare(w); // replaces (and frees) the first
            PackedWeight second = be.preparedFor(w);
            be.linearForward(x, w, null, zeros(7, 100));
            assertTrue(second.readable());
            assertEquals(Sgemm.ALIGNED_PANELS, !first.readable(), "re-preparing frees the replaced panels");
            be.unprepare(w);
            assertEquals(Sgemm.ALIGNED_PANELS, !second.readable(), "unprepare frees the panels");
            be.prepare(w);
            PackedWeight third = be.preparedFor(w);
            be.close();
            assertEquals(Sgemm.ALIGNED_PANELS, !third.readable(), "close frees the panels");
        }
    }
}
