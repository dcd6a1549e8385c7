package dev.peft4j.conformance;

import dev.peft4j.backend.Backend;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The host-side inputs of one case, drawn once from the case's seed and then handed to every backend: named
 * float tensors and int arrays. Tensors a backward saves from its forward (u, z, lse, mean, rstd, probs) are
 * computed here by the oracle, so each backward is compared on exactly the same saved values.
 */
final class CaseInputs {
    private final long seed;
    private final SplittableRandom random;
    private final Backend oracle;
    private final Map<String, HostTensor> tensors = new LinkedHashMap<>();
    private final Map<String, int[]> ints = new LinkedHashMap<>();

    CaseInputs(long seed, Backend oracle) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.oracle = oracle;
    }

    long seed() {
        return seed;
    }

    /** Uniform in [−1, 1). */
    HostTensor uniform(String name, int... shape) {
        return between(name, -1, 1, shape);
    }

    /** Uniform in [lo, hi). */
    HostTensor between(String name, double lo, double hi, int... shape) {
        float[] d = new float[count(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) random.nextDouble(lo, hi);
        }
        return put(name, d, shape);
    }

    HostTensor zeros(String name, int... shape) {
        return put(name, new float[count(shape)], shape);
    }

    /** Entries 0 with probability p, else {@code keep}. */
    HostTensor bernoulli(String name, double p, float keep, int... shape) {
        float[] d = new float[count(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = random.nextDouble() < p ? 0f : keep;
        }
        return put(name, d, shape);
    }

    /** Key mask [B, T] of right padding: sequence b has a random length in [1, T], the rest is 0. */
    HostTensor paddingMask(String name, int batch, int time) {
        float[] d = new float[batch * time];
        for (int b = 0; b < batch; b++) {
            int len = 1 + random.nextInt(time);
            for (int t = 0; t < len; t++) {
                d[b * time + t] = 1f;
            }
        }
        return put(name, d, batch, time);
    }

    /** n ids in [0, bound); with probability pIgnore an entry is {@link Backend#IGNORE_INDEX} instead. */
    int[] ids(String name, int n, int bound, double pIgnore) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextDouble() < pIgnore ? Backend.IGNORE_INDEX : random.nextInt(bound);
        }
        ints.put(name, ids);
        return ids;
    }

    HostTensor put(String name, float[] data, int... shape) {
        HostTensor t = new HostTensor(data, shape.clone());
        tensors.put(name, t);
        return t;
    }

    HostTensor tensor(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalStateException("case has no input named " + name + "; it has " + tensors.keySet());
        }
        return t;
    }

    int[] ints(String name) {
        int[] v = ints.get(name);
        if (v == null) {
            throw new IllegalStateException("case has no int input named " + name + "; it has " + ints.keySet());
        }
        return v.clone();
    }

    /** Runs {@code forward} on the oracle with these inputs and adds each of its results as an input. */
    void savedByOracle(Consumer<KernelRun> forward) {
        try (KernelRun run = new KernelRun(oracle, this)) {
            forward.accept(run);
            run.results().forEach((name, result) -> put(name, result.values(), result.shape()));
        }
    }

    private static int count(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
