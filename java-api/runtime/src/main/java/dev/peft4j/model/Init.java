package dev.peft4j.model;

import java.util.SplittableRandom;

/** Seeded initialisers for new PEFT parameters. */
final class Init {
    private Init() {}

    /** Kaiming-uniform with a = √5 (PyTorch's nn.Linear default): U(−b, b), b = √(6/((1+a²)·fanIn)) = 1/√fanIn. */
    static float[] kaimingUniform(SplittableRandom rng, int rows, int fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] w = new float[rows * fanIn];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return w;
    }

    /** N(0, std²) by Box–Muller. */
    static float[] normal(SplittableRandom rng, int n, double std) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            w[i] = (float) (std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return w;
    }

    static float[] constant(int n, float value) {
        float[] w = new float[n];
        java.util.Arrays.fill(w, value);
        return w;
    }
}
