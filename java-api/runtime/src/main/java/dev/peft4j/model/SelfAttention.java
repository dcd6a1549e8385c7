package dev.peft4j.model;

import dev.peft4j.backend.AttentionGradients;
import dev.peft4j.backend.AttentionInputs;
import dev.peft4j.backend.Backend;
import dev.peft4j.peft.PrefixSpec;
import dev.peft4j.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Multi-head self-attention with its four projections: q = x W_qᵀ + b_q (k, v alike), (IA)³ k ← l_k ⊙ k,
 * v ← l_v ⊙ v, prefix keys/values P_k, P_v {@code [L,d]} prepended, ctx = attention(q, k, v), a = ctx W_oᵀ + b_o.
 * Activations are {@code [N, d]} with N = B·T; the attention kernel reads them as {@code [B, T, d]}. In a packed
 * pass ({@link PackedRows}) N is the real rows only: q, k, v are gathered into {@code [B, T, d]} for the kernel and
 * its result gathered back.
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
    private final ReusedTensors owned;
    private final Saved saved;
    private final Scratch scratch;
    private Parameter prefixK;
    private Parameter prefixV;
    private Parameter ia3K;
    private Parameter ia3V;
    private Gate prefixGate;
    private Tensor prefixGradK;
    private Tensor prefixGradV;

    /**
     * What the forward keeps for the backward. x belongs to the caller; q and the raw k, v to the projections (their
     * output buffers); the rest to this module.
     */
    private static final class Saved {
        Pass pass;
        Tensor x;                         // [N,d], the input (borrowed)
        Tensor q;                         // [N,d]
        Tensor kRaw;                      // [N,d], x W_kᵀ + b_k
        Tensor vRaw;                      // [N,d]
        Tensor k;                         // [N,d], l_k ⊙ kRaw with (IA)³, else kRaw
        Tensor v;                         // [N,d]
        Tensor qIn;                       // [B·T,d], what the attention kernel reads: q, or q at the padded rows
        Tensor kIn;                       // [B·T,d]
        Tensor vIn;                       // [B·T,d]
        final ReusedTensor kScaled;       // [N,d], where k lives with (IA)³
        final ReusedTensor vScaled;       // [N,d]
        final ReusedTensor ctx;           // [N,d], attention(q, k, v; P_k, P_v)
        final ReusedTensor lse;           // [B,H,T], its log-sum-exp per query row
        final ReusedTensor zeroPrefixV;   // [L,d], zeros (gated prefix)
        final ReusedTensor ctx0;          // [N,d], attention(q, k, v; P_k, 0) (gated prefix)
        final ReusedTensor lse0;          // [B,H,T]
        final ReusedTensor prefixPart;    // [N,d], ctx − ctx₀ (gated prefix)
        final ReusedTensor gatedCtx;      // [N,d], ctx₀ + G ⊙ (ctx − ctx₀) (gated prefix; the output's saved input)

        Saved(ReusedTensors pool) {
            kScaled = pool.next();
            vScaled = pool.next();
            ctx = pool.next();
            lse = pool.next();
            zeroPrefixV = pool.next();
            ctx0 = pool.next();
            lse0 = pool.next();
            prefixPart = pool.next();
            gatedCtx = pool.next();
        }
    }

    /**
     * Intermediates that live within one backward, or within the forward of a packed pass (which has no backward);
     * every one {@code [N,d]} unless noted. Inside a layer stack they are the stack's shared scratch
     * ({@link SharedScratch}).
     */
    private static final class Scratch {
        final ReusedTensor qPadded;       // [B·T,d], q laid out padded (packed pass)
        final ReusedTensor kPadded;       // [B·T,d]
        final ReusedTensor vPadded;       // [B·T,d]
        final ReusedTensor ctxPadded;     // [B·T,d], the kernel's result before it is packed (packed pass)
        final ReusedTensor dq;
        final ReusedTensor dk;
        final ReusedTensor dv;
        final ReusedTensor dPrefixGate;
        final ReusedTensor dCtxFull;
        final ReusedTensor dCtxZero;
        final ReusedTensor dPrefixK0;     // [L,d]
        final ReusedTensor dq0;
        final ReusedTensor dk0;
        final ReusedTensor dv0;
        final ReusedTensor dkRaw;
        final ReusedTensor dvRaw;
        final ReusedTensor dx;

        Scratch(ScratchSource pool) {
            qPadded = pool.next();
            kPadded = pool.next();
            vPadded = pool.next();
            ctxPadded = pool.next();
            dq = pool.next();
            dk = pool.next();
            dv = pool.next();
            dPrefixGate = pool.next();
            dCtxFull = pool.next();
            dCtxZero = pool.next();
            dPrefixK0 = pool.next();
            dq0 = pool.next();
            dk0 = pool.next();
            dv0 = pool.next();
            dkRaw = pool.next();
            dvRaw = pool.next();
            dx = pool.next();
        }
    }

    /** Self-attention with backward scratch of its own. */
    SelfAttention(Backend be, Linear query, Linear key, Linear value, Linear output, int heads, boolean causal) {
        this(be, query, key, value, output, heads, causal, null);
    }

    /** Self-attention whose backward scratch comes from {@code scratch} (a layer stack's shared one), or its own when null. */
    SelfAttention(Backend be, Linear query, Linear key, Linear value, Linear output, int heads, boolean causal,
                  ScratchSource scratch) {
        this.be = be;
        this.query = query;
        this.key = key;
        this.value = value;
        this.output = output;
        this.heads = heads;
        this.causal = causal;
        this.owned = new ReusedTensors(be);
        this.saved = new Saved(owned);
        this.scratch = new Scratch(scratch == null ? owned : scratch);
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

    /**
     * a {@code [N,d]} = the output projection of attention over x {@code [N,d]}: the output projection's buffer, or,
     * without {@code keepOutput} (nothing reads a in a backward), a buffer the stack's layers share.
     */
    Tensor forward(Tensor x, Pass pass, long seed, boolean keepOutput) {
        Saved s = saved;
        s.pass = pass;
        s.x = x;
        int n = x.dim(0);
        int d = width();
        s.q = query.forward(x, pass, seed + 1);
        s.kRaw = key.forward(x, pass, seed + 2);
        s.vRaw = value.forward(x, pass, seed + 3);
        s.k = s.kRaw;
        s.v = s.vRaw;
        if (ia3K != null) {
            s.k = s.kScaled.shaped(n, d);
            s.v = s.vScaled.shaped(n, d);
            be.scaleForward(s.kRaw, ia3K.value(), s.k);
            be.scaleForward(s.vRaw, ia3V.value(), s.v);
        }
        s.qIn = padded(s.q, scratch.qPadded);
        s.kIn = padded(s.k, scratch.kPadded);
        s.vIn = padded(s.v, scratch.vPadded);
        Tensor ctx = s.ctx.shaped(n, d);
        Tensor lse = s.lse.shaped(pass.batch(), heads, pass.seqLen());
        attend(inputs(value(prefixK), value(prefixV), pass.keyMask()), ctx, lse);
        if (prefixGate != null) {
            ctx = gatePrefix(ctx, n, d);
        }
        return keepOutput ? output.forward(ctx, pass, seed + 4) : output.forwardUnkept(ctx, pass, seed + 4);
    }

    /** Gated ctx = ctx₀ + G ⊙ (ctx − ctx₀), ctx₀ the attention with zero prefix values (see the class comment). */
    private Tensor gatePrefix(Tensor ctx, int n, int d) {
        Saved s = saved;
        Tensor zeroV = s.zeroPrefixV.shaped(prefixV.value().shape());
        be.fill(zeroV, 0f);
        Tensor ctx0 = s.ctx0.shaped(n, d);
        attend(inputs(prefixK.value(), zeroV, s.pass.keyMask()), ctx0,
                s.lse0.shaped(s.pass.batch(), heads, s.pass.seqLen()));
        Tensor diff = s.prefixPart.shaped(n, d);
        be.copy(ctx, diff);
        be.axpy(-1f, ctx0, diff);
        Tensor gated = s.gatedCtx.shaped(n, d);
        be.mul(prefixGate.forward(s.x, d), diff, gated);
        be.add(gated, ctx0, gated);
        return gated;
    }

    /** x {@code [N,d]} at the padded rows {@code [B·T,d]} (in {@code buffer}) for a packed pass, else x itself. */
    private Tensor padded(Tensor x, ReusedTensor buffer) {
        PackedRows packing = saved.pass.packing();
        if (packing == null) {
            return x;
        }
        Tensor out = buffer.shaped(saved.pass.tokens(), x.dim(1));
        be.embeddingForward(x, packing.packedRows(), out);
        return out;
    }

    /**
     * out {@code [N,d]} = attention(in); a packed pass's result is computed padded, then packed: only its real rows
     * are read, so the padding query rows may be skipped.
     */
    private void attend(AttentionInputs in, Tensor out, Tensor lse) {
        PackedRows packing = saved.pass.packing();
        if (packing == null) {
            be.attentionForward(in, view3(out), lse);
            return;
        }
        Tensor all = scratch.ctxPadded.shaped(saved.pass.tokens(), out.dim(1));
        be.attentionForward(in.skippingMaskedQueries(), view3(all), lse);
        be.embeddingForward(all, packing.paddedRows(), out);
    }

    /** The saved q, k, v of this pass as [B,T,d], with the given prefix and key mask. */
    private AttentionInputs inputs(Tensor pk, Tensor pv, Tensor keyMask) {
        Saved s = saved;
        return AttentionInputs.of(view3(s.qIn), view3(s.kIn), view3(s.vIn), heads).withPrefix(pk, pv)
                .withKeyMask(keyMask).withCausal(causal);
    }

    /** dx {@code [N,d]} (a buffer) from da, the gradient of the output projection's result; null without needDx. */
    Tensor backward(Tensor da, boolean needDx) {
        int n = da.dim(0);
        int d = width();
        Saved s = saved;
        Tensor dctx = output.backward(da, true);
        Tensor dq = scratch.dq.shaped(n, d);
        Tensor dk = scratch.dk.shaped(n, d);
        Tensor dv = scratch.dv.shaped(n, d);
        Tensor dFull = dctx;
        Tensor gateDx = null;
        if (prefixGate != null) {
            Tensor g = prefixGate.last();
            Tensor dG = scratch.dPrefixGate.shaped(n, d);
            be.mul(dctx, s.prefixPart.saved(), dG);
            gateDx = prefixGate.backward(dG, needDx);
            dFull = scratch.dCtxFull.shaped(n, d);
            be.mul(g, dctx, dFull);
            Tensor dZero = scratch.dCtxZero.shaped(n, d);
            be.copy(dctx, dZero);
            be.axpy(-1f, dFull, dZero);
            Tensor dPk0 = prefixGradK() == null ? null : scratch.dPrefixK0.shaped(prefixK.value().shape());
            be.attentionBackward(view3(dZero), inputs(prefixK.value(), s.zeroPrefixV.saved(), s.pass.keyMask()),
                    view3(s.ctx0.saved()), s.lse0.saved(), AttentionGradients.none()
                            .withDq(view3(scratch.dq0.shaped(n, d))).withDk(view3(scratch.dk0.shaped(n, d)))
                            .withDv(view3(scratch.dv0.shaped(n, d))).withPrefixGradients(dPk0, null));
        }
        be.attentionBackward(view3(dFull), inputs(value(prefixK), value(prefixV), s.pass.keyMask()),
                view3(s.ctx.saved()), s.lse.saved(), AttentionGradients.none().withDq(view3(dq)).withDk(view3(dk))
                        .withDv(view3(dv)).withPrefixGradients(prefixGradK(), prefixGradV()));
        if (prefixGate != null) {
            be.add(dq, scratch.dq0.saved(), dq);
            be.add(dk, scratch.dk0.saved(), dk);
            be.add(dv, scratch.dv0.saved(), dv);
            if (prefixGradK() != null) {
                be.add(prefixGradK(), scratch.dPrefixK0.saved(), prefixGradK());
            }
        }
        if (ia3K != null) {
            Tensor dkRaw = scratch.dkRaw.shaped(n, d);
            Tensor dvRaw = scratch.dvRaw.shaped(n, d);
            be.scaleBackward(dk, s.kRaw, ia3K.value(), dkRaw, ia3K.grad());
            be.scaleBackward(dv, s.vRaw, ia3V.value(), dvRaw, ia3V.grad());
            dk = dkRaw;
            dv = dvRaw;
        }
        if (!needDx) { // only the projections' own gradients (a frozen projection skips its backward entirely)
            query.backward(dq, false);
            key.backward(dk, false);
            value.backward(dv, false);
            return null;
        }
        Tensor dx = scratch.dx.shaped(n, d);
        be.copy(query.backward(dq, true), dx);
        be.add(dx, key.backward(dk, true), dx);
        be.add(dx, value.backward(dv, true), dx);
        if (gateDx != null) {
            be.add(dx, gateDx, dx);
        }
        return dx;
    }

    private Tensor view3(Tensor t) {
        return t.view(saved.pass.batch(), saved.pass.seqLen(), t.dim(-1));
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
        owned.close();
        if (prefixGate != null) {
            prefixGate.close();
        }
        query.close();
        key.close();
        value.close();
        output.close();
    }
}
