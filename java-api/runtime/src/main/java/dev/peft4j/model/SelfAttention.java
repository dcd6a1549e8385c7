package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.peft.PrefixSpec;
import dev.peft4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-head self-attention with its four projections: q = x W_qᵀ + b_q (k, v alike), (IA)³ k ← l_k ⊙ k,
 * v ← l_v ⊙ v, prefix keys/values P_k, P_v {@code [L,d]} prepended, ctx = attention(q, k, v), a = ctx W_oᵀ + b_o.
 * Activations are {@code [N, d]} with N = B·T; the attention kernel reads them as {@code [B, T, d]}.
 *
 * <p>Gated prefix (UniPELT-style): the gate g_t = σ(x_t W_gᵀ + b_g) of query token t scales what the prefix values
 * add to that query's output, i.e. P_v is replaced by g_t·P_v for query t (the attention weights, and so P_k, are
 * untouched). The output is linear in P_v at fixed weights, so with ctx = attention(q,k,v; P_k, P_v) and
 * ctx₀ = attention(q,k,v; P_k, 0) (same weights, prefix values zero): gated ctx = ctx₀ + G ⊙ (ctx − ctx₀). The
 * kernel shares one P_v over the batch and every query, so this costs a second attention call. Backward: both calls
 * get their own dOut, G ⊙ dctx and (1 − G) ⊙ dctx, and their gradients add; dG = dctx ⊙ (ctx − ctx₀).
 *
 * <p>Reparameterised prefix: P_k, P_v are written by {@link PrefixEncoder} before each forward and are frozen
 * themselves; their gradients go to tensors the encoder owns ({@link #routePrefixGradients}).
 */
final class SelfAttention implements AutoCloseable {
    final Linear query;
    final Linear key;
    final Linear value;
    final Linear output;
    private final int heads;
    private final boolean causal;
    private final Backend be;
    private final Buffers buf;
    private Parameter prefixK;
    private Parameter prefixV;
    private Parameter ia3K;
    private Parameter ia3V;
    private Gate prefixGate;
    private Tensor prefixGradK;
    private Tensor prefixGradV;
    private Tensor x;
    private Tensor q;
    private Tensor k;
    private Tensor v;
    private Tensor kRaw;
    private Tensor vRaw;
    private Pass pass;

    SelfAttention(Backend be, Linear query, Linear key, Linear value, Linear output, int heads, boolean causal) {
        this.be = be;
        this.query = query;
        this.key = key;
        this.value = value;
        this.output = output;
        this.heads = heads;
        this.causal = causal;
        this.buf = new Buffers(be);
    }

    int width() {
        return query.out();
    }

    /** Prefix tuning: P_k, P_v {@code [L, d]} initialised N(0, 0.02), trainable. */
    void attachPrefix(String prefix, PrefixSpec spec, SplittableRandom rng) {
        int d = width();
        prefixK = new Parameter(prefix + ".prefix_k", be.fromHost(Init.normal(rng, spec.length() * d, 0.02), spec.length(), d));
        prefixV = new Parameter(prefix + ".prefix_v", be.fromHost(Init.normal(rng, spec.length() * d, 0.02), spec.length(), d));
        prefixK.setTrainable(be, true);
        prefixV.setTrainable(be, true);
        if (spec.gated()) {
            prefixGate = new Gate(be, prefix + ".prefix_gate", d);
        }
    }

    Parameter prefixK() {
        return prefixK;
    }

    Parameter prefixV() {
        return prefixV;
    }

    /**
     * Freezes P_k, P_v and sends their gradients to dK, dV {@code [L,d]} instead (the prefix MLP's inputs), or, with
     * null, makes them trainable parameters again.
     */
    void routePrefixGradients(Tensor dK, Tensor dV) {
        boolean direct = dK == null;
        prefixK.setTrainable(be, direct);
        prefixV.setTrainable(be, direct);
        prefixGradK = dK;
        prefixGradV = dV;
    }

    /** True when the prefix gradients go to a reparameterisation's buffers, which the backward must fill. */
    boolean routesPrefixGradient() {
        return prefixGradK != null;
    }

    private Tensor prefixGradK() {
        return prefixGradK != null ? prefixGradK : grad(prefixK);
    }

    private Tensor prefixGradV() {
        return prefixGradV != null ? prefixGradV : grad(prefixV);
    }

    /** (IA)³ on keys and values: l_k, l_v {@code [d]} initialised to 1, trainable. */
    void attachIa3(String prefix) {
        int d = width();
        ia3K = new Parameter(prefix + ".ia3_k", be.fromHost(Init.constant(d, 1f), d));
        ia3V = new Parameter(prefix + ".ia3_v", be.fromHost(Init.constant(d, 1f), d));
        ia3K.setTrainable(be, true);
        ia3V.setTrainable(be, true);
    }

    /** a {@code [N,d]} = the output projection of attention over x {@code [N,d]}. */
    Tensor forward(Tensor x, Pass pass, long seed) {
        this.pass = pass;
        this.x = x;
        int n = x.dim(0);
        int d = width();
        q = query.forward(x, pass, seed + 1);
        kRaw = key.forward(x, pass, seed + 2);
        vRaw = value.forward(x, pass, seed + 3);
        k = kRaw;
        v = vRaw;
        if (ia3K != null) {
            k = buf.get("k", n, d);
            v = buf.get("v", n, d);
            be.scaleForward(kRaw, ia3K.value(), k);
            be.scaleForward(vRaw, ia3V.value(), v);
        }
        Tensor ctx = buf.get("ctx", n, d);
        Tensor lse = buf.get("lse", pass.batch(), heads, pass.seqLen());
        be.attentionForward(view3(q), view3(k), view3(v), value(prefixK), value(prefixV), pass.keyMask(), causal, heads,
                view3(ctx), lse);
        if (prefixGate != null) {
            ctx = gatePrefix(ctx, lse, n, d);
        }
        return output.forward(ctx, pass, seed + 4);
    }

    /** Gated ctx = ctx₀ + G ⊙ (ctx − ctx₀), ctx₀ the attention with zero prefix values (see the class comment). */
    private Tensor gatePrefix(Tensor ctx, Tensor lse, int n, int d) {
        Tensor zeroV = buf.get("zeroPrefixV", prefixV.value().shape());
        be.fill(zeroV, 0f);
        Tensor ctx0 = buf.get("ctx0", n, d);
        be.attentionForward(view3(q), view3(k), view3(v), prefixK.value(), zeroV, pass.keyMask(), causal, heads,
                view3(ctx0), buf.get("lse0", pass.batch(), heads, pass.seqLen()));
        Tensor diff = buf.get("prefixPart", n, d);
        be.copy(ctx, diff);
        be.axpy(-1f, ctx0, diff);
        Tensor gated = buf.get("gatedCtx", n, d);
        be.mul(prefixGate.forward(x, d), diff, gated);
        be.add(gated, ctx0, gated);
        return gated;
    }

    /** dx {@code [N,d]} (a buffer) from da, the gradient of the output projection's result; null without needDx. */
    Tensor backward(Tensor da, boolean needDx) {
        int n = da.dim(0);
        int d = width();
        Tensor dctx = output.backward(da, true);
        Tensor dq = buf.get("dq", n, d);
        Tensor dk = buf.get("dk", n, d);
        Tensor dv = buf.get("dv", n, d);
        Tensor dFull = dctx;
        Tensor gateDx = null;
        if (prefixGate != null) {
            Tensor g = prefixGate.last(n, d);
            Tensor dG = buf.get("dPrefixGate", n, d);
            be.mul(dctx, buf.get("prefixPart", n, d), dG);
            gateDx = prefixGate.backward(dG, needDx);
            dFull = buf.get("dCtxFull", n, d);
            be.mul(g, dctx, dFull);
            Tensor dZero = buf.get("dCtxZero", n, d);
            be.copy(dctx, dZero);
            be.axpy(-1f, dFull, dZero);
            Tensor zeroV = buf.get("zeroPrefixV", prefixV.value().shape());
            Tensor dPk0 = prefixGradK() == null ? null : buf.get("dPrefixK0", prefixK.value().shape());
            be.attentionBackward(view3(dZero), view3(q), view3(k), view3(v), prefixK.value(), zeroV, pass.keyMask(),
                    causal, heads, view3(buf.get("ctx0", n, d)), buf.get("lse0", pass.batch(), heads, pass.seqLen()),
                    view3(buf.get("dq0", n, d)), view3(buf.get("dk0", n, d)), view3(buf.get("dv0", n, d)), dPk0, null);
        }
        be.attentionBackward(view3(dFull), view3(q), view3(k), view3(v), value(prefixK), value(prefixV), pass.keyMask(),
                causal, heads, view3(buf.get("ctx", n, d)), buf.get("lse", pass.batch(), heads, pass.seqLen()),
                view3(dq), view3(dk), view3(dv), prefixGradK(), prefixGradV());
        if (prefixGate != null) {
            be.add(dq, buf.get("dq0", n, d), dq);
            be.add(dk, buf.get("dk0", n, d), dk);
            be.add(dv, buf.get("dv0", n, d), dv);
            if (prefixGradK() != null) {
                be.add(prefixGradK(), buf.get("dPrefixK0", prefixK.value().shape()), prefixGradK());
            }
        }
        if (ia3K != null) {
            Tensor dkRaw = buf.get("dkRaw", n, d);
            Tensor dvRaw = buf.get("dvRaw", n, d);
            be.scaleBackward(dk, kRaw, ia3K.value(), dkRaw, ia3K.grad());
            be.scaleBackward(dv, vRaw, ia3V.value(), dvRaw, ia3V.grad());
            dk = dkRaw;
            dv = dvRaw;
        }
        if (!needDx) { // only the projections' own gradients (a frozen projection skips its backward entirely)
            query.backward(dq, false);
            key.backward(dk, false);
            value.backward(dv, false);
            return null;
        }
        Tensor dx = buf.get("dx", n, d);
        be.copy(query.backward(dq, true), dx);
        be.add(dx, key.backward(dk, true), dx);
        be.add(dx, value.backward(dv, true), dx);
        if (gateDx != null) {
            be.add(dx, gateDx, dx);
        }
        return dx;
    }

    private Tensor view3(Tensor t) {
        return t.view(pass.batch(), pass.seqLen(), t.dim(-1));
    }

    private static Tensor value(Parameter p) {
        return p == null ? null : p.value();
    }

    private static Tensor grad(Parameter p) {
        return p == null ? null : p.grad();
    }

    void collect(List<Parameter> out) {
        query.collect(out);
        key.collect(out);
        value.collect(out);
        output.collect(out);
        for (Parameter p : new Parameter[] {prefixK, prefixV, ia3K, ia3V}) {
            if (p != null) {
                out.add(p);
            }
        }
        if (prefixGate != null) {
            prefixGate.collect(out);
        }
    }

    @Override
    public void close() {
        buf.close();
        if (prefixGate != null) {
            prefixGate.close();
        }
        query.close();
        key.close();
        value.close();
        output.close();
    }
}
