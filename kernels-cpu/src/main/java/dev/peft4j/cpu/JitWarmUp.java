package dev.peft4j.cpu;

import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.Activation;
import dev.peft4j.backend.AdamW;
import dev.peft4j.tensor.Tensor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets the hot kernels C2-compiled before the first training step needs them. Vector-API code runs one to two
 * orders of magnitude slower until C2 compiles it (the interpreter and C1 box every vector), and in a training
 * run the kernels compete for the compiler with the whole model runtime, so the first steps were dominated by
 * that. Once per JVM, the first CpuBackend starts a daemon thread that runs the main kernels on small shapes
 * on a private single-thread backend for a bounded time (at most {@link #BUDGET_MS} ms), typically while the
 * caller builds its model. {@code BackendOptions.withWarmUp(false)} or {@code -Dpeft4j.cpu.warmUp=false} turns it
 * off (the backend decides; see {@link dev.peft4j.backend.BackendOptions}). It changes no state anyone else sees:
 * its tensors are its own and the kernels' scratch is per thread.
 */
final class JitWarmUp {
    static final long BUDGET_MS = 3000;
    private static final int ROUNDS = 400;
    /** Rounds of the once-per-step kernels (optimizer, head, pooling) per round of the main kernels. */
    private static final int PER_STEP_ROUNDS_PER_ROUND = 5;
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private JitWarmUp() {}

    /** Starts the warm-up thread unless one was started already in this JVM or the scalar loops are in use. */
    static void startOnce() {
        if (Simd.SCALAR || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(JitWarmUp::run, "peft4j-cpu-jit-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static void run() {
        try {
            exercise(BUDGET_MS, ROUNDS);
        } catch (RuntimeException e) {
            // warming up is an optimisation only; a failure here must not disturb the caller
        }
    }

    /** Runs up to maxRounds rounds of the kernels within budgetMs; returns the rounds completed. */
    static int exercise(long budgetMs, int maxRounds) {
        long deadline = System.nanoTime() + budgetMs * 1_000_000L;
        int done = 0;
        int b = 2, t = 32, h = 2, d = 64, n = b * t, r = 8, prefix = 4;
        try (CpuBackend be = new CpuBackend(1, false)) {
            Tensor x = filled(n, d), w = filled(d, d), bias = filled(d), y = Tensor.zeros(n, d), dx = Tensor.zeros(n, d);
            Tensor a = filled(r, d), bb = filled(d, r), u = Tensor.zeros(n, r), dA = Tensor.zeros(r, d), dB = Tensor.zeros(d, r);
            Tensor q = filled(b, t, d), o = Tensor.zeros(b, t, d), lse = Tensor.zeros(b, h, t);
            Tensor dq = Tensor.zeros(b, t, d), dk = Tensor.zeros(b, t, d), dv = Tensor.zeros(b, t, d);
            Tensor pk = filled(prefix, d), dpk = Tensor.zeros(prefix, d), dpv = Tensor.zeros(prefix, d);
            Tensor mask = Tensor.zeros(b, t), mean = Tensor.zeros(n), rstd = Tensor.zeros(n), drop = Tensor.zeros(n, d);
            be.fill(mask, 1f);
            Tensor dGamma = Tensor.zeros(d), dBeta = Tensor.zeros(d);
            // a two-class head (n ≤ one vector: the narrow GEMM kernel) and the optimizer, which run once per step
            // and so would stay in C1 for many steps (AdamW over 74k values took 30 ms a step there, not 0.1 ms)
            Tensor head = filled(2, d), headBias = filled(2), logits = Tensor.zeros(n, 2), dHead = Tensor.zeros(2, d);
            Tensor dHeadBias = Tensor.zeros(2), pooled = Tensor.zeros(b, d);
            Tensor[] params = {a, bb}, grads = {dA, dB};
            Tensor[] m1 = {Tensor.zeros(r, d), Tensor.zeros(d, r)}, m2 = {Tensor.zeros(r, d), Tensor.zeros(d, r)};
            AdamW hp = new AdamW(1e-6f, 0.9f, 0.999f, 1e-8f, 0f);
            // first the kernels that run once per step: cheap, so many rounds fit in a quarter of the budget
            long perStepDeadline = System.nanoTime() + budgetMs * 250_000L;
            for (int i = 0; i < PER_STEP_ROUNDS_PER_ROUND * maxRounds && System.nanoTime() < perStepDeadline; i++) {
                be.linearForward(x, head, headBias, logits);
                be.linearBackward(logits, x, head, dx, dHead, dHeadBias);
                be.meanPoolForward(q, mask, pooled);
                be.meanPoolBackward(pooled, mask, o);
                be.clipGradNorm(grads, 1e9f);
                be.adamW(params, grads, m1, m2, hp, i + 1);
            }
            for (int i = 0; i < maxRounds && System.nanoTime() < deadline; i++, done++) {
                boolean withPrefix = (i & 1) == 0;
                Tensor p = withPrefix ? pk : null;
                be.attentionForward(new AttentionInputs(q, q, q, p, p, mask, false, h), o, lse);
                be.attentionBackward(o, new AttentionInputs(q, q, q, p, p, mask, false, h), o, lse, AttentionGradients.none().withDq(dq).withDk(dk).withDv(dv).withPrefixGradients(withPrefix ? dpk : null, withPrefix ? dpv : null));
                be.linearForward(x, w, bias, y);
                be.linearBackward(y, x, w, dx, null, null);
                be.loraForward(x, w, bias, a, bb, 0.5f, null, y, u);
                be.loraBackward(y, x, w, a, bb, u, 0.5f, null, dx, dA, dB);
                be.activationForward(Activation.GELU, x, y);
                be.activationBackward(Activation.GELU, y, x, dx);
                be.layerNormForward(x, bias, bias, 1e-12f, y, mean, rstd);
                be.layerNormBackward(y, x, bias, mean, rstd, dx, dGamma, dBeta);
                be.softmaxForward(x, y);
                be.dropoutForward(x, 0.1f, i, y, drop);
                be.add(x, y, dx);
                be.mul(x, drop, dx);
            }
        }
        return done;
    }

    private static Tensor filled(int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] v = t.data();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(0.37 * i);
        }
        return t;
    }
}
