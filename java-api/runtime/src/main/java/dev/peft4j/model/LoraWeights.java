package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.LoraSpec;
import dev.peft4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The LoRA factors of one linear layer, A {@code [r,in]} and B {@code [out,r]}, with the scale s and the dropout p
 * on the LoRA input: the term the layer adds is s·(x̃ Aᵀ) Bᵀ.
 */
record LoraWeights(Parameter a, Parameter b, float scale, float dropout) {

    /** Fresh trainable factors for {@code base}: A Kaiming-uniform, B zero; named after its weight. */
    static LoraWeights create(LinearWeights base, LoraSpec spec, SplittableRandom rng) {
        Backend be = base.be();
        String name = base.weight().name();
        int r = spec.rank();
        int in = base.in();
        int out = base.out();
        if ((long) r * Math.max(in, out) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": LoRA rank " + r + " × width " + Math.max(in, out)
                    + " exceeds the 2³¹ − 1 elements of one tensor");
        }
        Parameter a = new Parameter(name.replace(".weight", ".lora_A.weight"),
                be.fromHost(Init.kaimingUniform(rng, r, in), r, in));
        Parameter b = new Parameter(name.replace(".weight", ".lora_B.weight"), be.allocate(out, r));
        a.setTrainable(be, true);
        b.setTrainable(be, true);
        return new LoraWeights(a, b, spec.scale(), spec.dropout());
    }

    int rank() {
        return a.value().dim(0);
    }

    /** W[o,i] += sign·s·Σ_k B[o,k]·A[k,i] for W {@code [out,in]}, each element summed in float64 and rounded once. */
    void addProductTo(Tensor weight, int sign) {
        float[] w = weight.toArray();
        float[] av = a.value().toArray();
        float[] bv = b.value().toArray();
        int r = rank();
        int in = weight.dim(1);
        int out = weight.dim(0);
        double s = sign * (double) scale;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double acc = 0;
                for (int k = 0; k < r; k++) {
                    acc += (double) bv[o * r + k] * av[k * in + i];
                }
                w[o * in + i] = (float) (w[o * in + i] + s * acc);
            }
        }
        weight.copyFrom(w);
    }

    /** A, then B. */
    void collect(List<Parameter> out) {
        out.add(a);
        out.add(b);
    }
}
