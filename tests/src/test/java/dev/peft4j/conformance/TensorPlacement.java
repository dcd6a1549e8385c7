package dev.peft4j.conformance;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How a {@link KernelRun} makes the tensors it hands a kernel: uploaded through {@code fromHost} (the usual
 * suite), or wrapped ({@link Tensor#wrap(float[], int, int...)}) at a random offset inside a larger caller array
 * (a prefix when the offset is 0) whose margins hold a NaN with a marked payload, so a kernel that ignores the offset reads NaN or writes a margin.
 * {@link #verify()} then checks every margin is untouched, bit for bit.
 */
interface TensorPlacement {
    /** A tensor of {@code shape} holding {@code values} (copied), on {@code backend}'s device. */
    Tensor place(Backend backend, float[] values, int[] shape);

    /** Throws AssertionError when the placement finds memory outside a tensor changed; called before close. */
    void verify();

    /** The suite's usual placement: {@code backend.fromHost}. */
    static TensorPlacement uploaded() {
        return new TensorPlacement() {
            @Override public Tensor place(Backend backend, float[] values, int[] shape) {
                return backend.fromHost(values, shape);
            }

            @Override public void verify() {}
        };
    }

    /** Host tensors wrapped inside NaN-poisoned larger arrays, offsets and margins drawn from {@code seed}. */
    static TensorPlacement wrappedInPoisonedArrays(long seed) {
        return new Wrapped(seed);
    }

    /**
     * Host tensors over off-heap segments ({@link Tensor#wrap(MemorySegment, int...)}): each a slice at a random
     * float offset of a larger NaN-poisoned native segment, margins checked like the arrays'.
     */
    static TensorPlacement inPoisonedNativeSegments(long seed) {
        return new InSegments(seed);
    }

    /** See {@link #inPoisonedNativeSegments(long)}. */
    final class InSegments implements TensorPlacement {
        private record Placed(MemorySegment whole, int offset, int length, int[] shape) {}

        private final SplittableRandom random;
        private final List<Placed> placed = new ArrayList<>();

        InSegments(long seed) {
            this.random = new SplittableRandom(seed ^ 0x5e6_3e47L);
        }

        @Override public Tensor place(Backend backend, float[] values, int[] shape) {
            int before = random.nextInt(0, Wrapped.MAX_MARGIN + 1);
            int after = random.nextInt(1, Wrapped.MAX_MARGIN + 1);
            int total = before + values.length + after;
            MemorySegment whole = Arena.ofAuto().allocate(4L * total, 64);
            for (int i = 0; i < total; i++) {
                whole.setAtIndex(ValueLayout.JAVA_INT, i, Wrapped.POISON_BITS);
            }
            MemorySegment.copy(values, 0, whole, ValueLayout.JAVA_FLOAT, 4L * before, values.length);
            placed.add(new Placed(whole, before, values.length, shape.clone()));
            return Tensor.wrap(whole.asSlice(4L * before), shape);
        }

        @Override public void verify() {
            for (Placed p : placed) {
                long total = p.whole().byteSize() / 4;
                for (int i = 0; i < total; i++) {
                    boolean margin = i < p.offset() || i >= p.offset() + p.length();
                    int bits = p.whole().getAtIndex(ValueLayout.JAVA_INT, i);
                    if (margin && bits != Wrapped.POISON_BITS) {
                        throw new AssertionError("the margin of segment tensor " + Arrays.toString(p.shape())
                                + " (float offset " + p.offset() + ", " + p.length() + " elements, segment of "
                                + total + " floats) changed at index " + i + ": now " + Float.intBitsToFloat(bits));
                    }
                }
            }
        }
    }

    /** See {@link #wrappedInPoisonedArrays(long)}. */
    final class Wrapped implements TensorPlacement {
        /** A quiet NaN with a payload no kernel computes: a margin that changed was written by someone. */
        static final int POISON_BITS = 0x7fc0_dead;
        static final int MAX_MARGIN = 37;

        private record Placed(float[] array, int offset, int length, int[] shape) {}

        private final SplittableRandom random;
        private final List<Placed> placed = new ArrayList<>();

        Wrapped(long seed) {
            this.random = new SplittableRandom(seed ^ 0x5eed_0ff5e7L);
        }

        @Override public Tensor place(Backend backend, float[] values, int[] shape) {
            int before = random.nextInt(0, MAX_MARGIN + 1); // 0: a prefix of the array
            int after = random.nextInt(1, MAX_MARGIN + 1);
            float[] array = new float[before + values.length + after];
            Arrays.fill(array, Float.intBitsToFloat(POISON_BITS));
            System.arraycopy(values, 0, array, before, values.length);
            placed.add(new Placed(array, before, values.length, shape.clone()));
            return Tensor.wrap(array, before, shape);
        }

        @Override public void verify() {
            for (Placed p : placed) {
                for (int i = 0; i < p.array().length; i++) {
                    boolean margin = i < p.offset() || i >= p.offset() + p.length();
                    if (margin && Float.floatToRawIntBits(p.array()[i]) != POISON_BITS) {
                        throw new AssertionError("the margin of wrapped tensor " + Arrays.toString(p.shape())
                                + " (offset " + p.offset() + ", " + p.length() + " elements, array length "
                                + p.array().length + ") changed at index " + i + ": now " + p.array()[i]);
                    }
                }
            }
        }
    }
}
