package dev.peft4j.bench;

import dev.peft4j.tensor.Tensor;
import java.util.SplittableRandom;

/** Seeded uniform [−1, 1) host tensors for the benchmarks. */
final class BenchData {
    private BenchData() {}

    static Tensor uniform(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (2 * r.nextDouble() - 1);
        }
        return t;
    }
}
