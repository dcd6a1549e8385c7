package dev.peft4j.backend;

import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.Shapes;
import dev.peft4j.tensor.Tensor;

/**
 * Checks every argument (null, closed, device, shapes, finite hyper-parameters, id ranges) and then calls the
 * wrapped backend. {@link Backends} puts one in front of every backend, so nothing malformed reaches a kernel,
 * native or not. Failures are {@link IllegalArgumentException}s ({@link ShapeMismatchException} for shapes)
 * whose message names the operation, the argument and the shapes.
 */
public final class ValidatingBackend implements Backend {
    private final Backend inner;

    public ValidatingBackend(Backend inner) {
        if (inner == null) {
            throw new IllegalArgumentException("backend is null");
        }
        this.inner = inner;
    }

    /** The backend behind the checks. */
    public Backend unwrap() {
        return inner;
    }

    private ArgumentChecks check(String op) {
        return new ArgumentChecks(op, inner.device());
    }

    @Override public String name() { return inner.name(); }

    @Override public Device device() { return inner.device(); }

    @Override public Tensor allocate(int... shape) {
        Shapes.checkedCopy(shape);
        return inner.allocate(shape);
    }

    @Override public Tensor fromHost(float[] data, int... shape) {
        ArgumentChecks c = check("fromHost");
        c.notNull("data", data);
        if (Shapes.numel(Shapes.checkedCopy(shape)) != data.length) {
            throw c.fail("shape " + java.util.Arrays.toString(shape) + " needs " + Shapes.numel(shape)
                    + " elements but data has " + data.length);
        }
        return inner.fromHost(data, shape);
    }

    @Override public void copy(Tensor src, Tensor dst) {
        ArgumentChecks c = check("copy");
        c.tensor("src", src);
        c.tensor("dst", dst);
        c.sameNumel("dst", dst, "src", src);
        inner.copy(src, dst);
    }

    @Override public void upload(float[] src, Tensor dst) {
        ArgumentChecks c = check("upload");
        c.notNull("src", src);
        c.tensor("dst", dst);
        if (dst.numel() != src.length) {
            throw c.fail("dst " + Shapes.str(dst) + " has " + dst.numel() + " elements but src has " + src.length);
        }
        inner.upload(src, dst);
    }

    @Override public void fill(Tensor t, float value) {
        check("fill").tensor("t", t);
        inner.fill(t, value);
    }

    @Override public void add(Tensor a, Tensor b, Tensor out) {
        elementwise("add", a, b, out);
        inner.add(a, b, out);
    }

    @Override public void mul(Tensor a, Tensor b, Tensor out) {
        elementwise("mul", a, b, out);
        inner.mul(a, b, out);
    }

    private void elementwise(String op, Tensor a, Tensor b, Tensor out) {
        ArgumentChecks c = check(op);
        c.tensor("a", a);
        c.tensor("b", b);
        c.tensor("out", out);
        c.sameShape("b", b, "a", a);
        c.sameShape("out", out, "a", a);
        c.inPlaceOrDisjoint("a", a, "out", out);
        c.inPlaceOrDisjoint("b", b, "out", out);
    }

    @Override public void axpy(float alpha, Tensor x, Tensor y) {
        ArgumentChecks c = check("axpy");
        c.finite("alpha", alpha);
        c.tensor("x", x);
        c.tensor("y", y);
        c.sameNumel("y", y, "x", x);
        c.distinct(new String[] {"x", "y"}, x, y);
        inner.axpy(alpha, x, y);
    }

    @Override public void gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        ArgumentChecks ck = check("gemm");
        ck.tensor("a", a);
        ck.tensor("b", b);
        ck.tensor("c", c);
        ck.finite("alpha", alpha);
        ck.finite("beta", beta);
        if (a.rank() != b.rank() || a.rank() != c.rank() || a.rank() < 2 || a.rank() > 3) {
            throw ck.fail("a, b, c must all have rank 2, or all rank 3 (batched); got a " + Shapes.str(a)
                    + ", b " + Shapes.str(b) + ", c " + Shapes.str(c));
        }
        int r = a.rank();
        if (r == 3 && (a.dim(0) != b.dim(0) || a.dim(0) != c.dim(0))) {
            throw ck.fail("batch sizes differ: a " + Shapes.str(a) + ", b " + Shapes.str(b) + ", c " + Shapes.str(c));
        }
        int m = transA ? a.dim(r - 1) : a.dim(r - 2);
        int ka = transA ? a.dim(r - 2) : a.dim(r - 1);
        int kb = transB ? b.dim(r - 1) : b.dim(r - 2);
        int n = transB ? b.dim(r - 2) : b.dim(r - 1);
        if (ka != kb || c.dim(r - 2) != m || c.dim(r - 1) != n) {
            throw ck.fail("op(a) " + (transA ? "(transposed) " : "") + Shapes.str(a) + " times op(b) "
                    + (transB ? "(transposed) " : "") + Shapes.str(b) + " does not fit c " + Shapes.str(c)
                    + ": need [" + m + "," + ka + "]·[" + kb + "," + n + "] = [" + m + "," + n + "] with equal inner sizes");
        }
        ck.distinct(new String[] {"a", "c"}, a, c);
        ck.distinct(new String[] {"b", "c"}, b, c);
        inner.gemm(a, transA, b, transB, c, alpha, beta);
    }

    @Override public void linearForward(Tensor x, Tensor w, Tensor bias, Tensor y) {
        ArgumentChecks c = check("linearForward");
        c.tensor("x", x);
        c.tensor("w", w);
        c.optional("bias", bias);
        c.tensor("y", y);
        int[] wm = weight(c, "w", w);
        int n = c.lastDim("x", x, wm[1]);
        c.shape("bias", bias, wm[0]);
        c.lastDim("y", y, wm[0]);
        c.rows("y", y, n);
        c.distinct(new String[] {"x", "w", "bias", "y"}, x, w, bias, y);
        inner.linearForward(x, w, bias, y);
    }

    @Override public void linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
        ArgumentChecks c = check("linearBackward");
        c.tensor("dy", dy);
        c.tensor("x", x);
        c.tensor("w", w);
        c.optional("dx", dx);
        c.optional("dw", dw);
        c.optional("db", db);
        int[] wm = weight(c, "w", w);
        int n = c.lastDim("x", x, wm[1]);
        c.lastDim("dy", dy, wm[0]);
        c.rows("dy", dy, n);
        c.sameShape("dx", dx, "x", x);
        c.shape("dw", dw, wm[0], wm[1]);
        c.shape("db", db, wm[0]);
        c.distinct(new String[] {"dy", "x", "w", "dx", "dw", "db"}, dy, x, w, dx, dw, db);
        inner.linearBackward(dy, x, w, dx, dw, db);
    }

    /** A weight must be rank 2 [out, in]; returns {out, in}. */
    private static int[] weight(ArgumentChecks c, String name, Tensor w) {
        if (w.rank() != 2) {
            throw c.fail(name + " must be a matrix [out, in] but has shape " + Shapes.str(w));
        }
        return new int[] {w.dim(0), w.dim(1)};
    }

    @Override public void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor dropMask,
                                      Tensor y, Tensor u) {
        ArgumentChecks c = check("loraForward");
        int[] d = loraShapes(c, x, w, a, b, s, dropMask);
        c.optional("bias", bias);
        c.tensor("y", y);
        c.tensor("u", u);
        c.shape("bias", bias, d[1]);
        c.lastDim("y", y, d[1]);
        c.rows("y", y, d[0]);
        c.lastDim("u", u, d[2]);
        c.rows("u", u, d[0]);
        c.distinct(new String[] {"x", "w", "bias", "a", "b", "dropMask", "y", "u"}, x, w, bias, a, b, dropMask, y, u);
        inner.loraForward(x, w, bias, a, b, s, dropMask, y, u);
    }

    @Override public void prepare(Tensor w) {
        ArgumentChecks c = check("prepare");
        c.tensor("w", w);
        weight(c, "w", w);
        inner.prepare(w);
    }

    @Override public void unprepare(Tensor w) {
        check("unprepare").notNull("w", w);
        inner.unprepare(w);
    }

    @Override public void loraForward(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, float s, Tensor y) {
        ArgumentChecks c = check("loraForward");
        int[] d = loraShapes(c, x, w, a, b, s, null);
        c.optional("bias", bias);
        c.tensor("y", y);
        c.shape("bias", bias, d[1]);
        c.lastDim("y", y, d[1]);
        c.rows("y", y, d[0]);
        c.distinct(new String[] {"x", "w", "bias", "a", "b", "y"}, x, w, bias, a, b, y);
        inner.loraForward(x, w, bias, a, b, s, y);
    }

    @Override public void loraBackward(Tensor dy, Tensor x, Tensor w, Tensor a, Tensor b, Tensor u, float s,
                                       Tensor dropMask, Tensor dx, Tensor dA, Tensor dB) {
        ArgumentChecks c = check("loraBackward");
        int[] d = loraShapes(c, x, w, a, b, s, dropMask);
        c.tensor("dy", dy);
        c.tensor("u", u);
        c.optional("dx", dx);
        c.optional("dA", dA);
        c.optional("dB", dB);
        c.lastDim("dy", dy, d[1]);
        c.rows("dy", dy, d[0]);
        c.lastDim("u", u, d[2]);
        c.rows("u", u, d[0]);
        c.sameShape("dx", dx, "x", x);
        c.sameShape("dA", dA, "a", a);
        c.sameShape("dB", dB, "b", b);
        c.distinct(new String[] {"dy", "x", "w", "a", "b", "u", "dropMask", "dx", "dA", "dB"},
                dy, x, w, a, b, u, dropMask, dx, dA, dB);
        inner.loraBackward(dy, x, w, a, b, u, s, dropMask, dx, dA, dB);
    }

    @Override public void loraMixedForward(Tensor x, Tensor a, Tensor b, Tensor scales, int[] adapterOfRow, Tensor y) {
        ArgumentChecks c = check("loraMixedForward");
        c.tensor("x", x);
        c.tensor("a", a);
        c.tensor("b", b);
        c.tensor("scales", scales);
        c.tensor("y", y);
        if (a.rank() != 3 || a.dim(0) < 1 || a.dim(1) < 1) {
            throw c.fail("a must be the adapters' A stacked, [k, r, in] with k ≥ 1 and r ≥ 1, but has shape "
                    + Shapes.str(a));
        }
        int adapters = a.dim(0);
        int r = a.dim(1);
        int n = c.lastDim("x", x, a.dim(2));
        if (b.rank() != 3 || b.dim(0) != adapters || b.dim(2) != r) {
            throw c.fail("b must be the adapters' B stacked, [k, out, r] = [" + adapters + ", out, " + r
                    + "] to match a " + Shapes.str(a) + ", but has shape " + Shapes.str(b));
        }
        c.shape("scales", scales, adapters);
        c.lastDim("y", y, b.dim(1));
        c.rows("y", y, n);
        c.notNull("adapterOfRow", adapterOfRow);
        if (adapterOfRow.length != n) {
            throw c.fail("adapterOfRow has " + adapterOfRow.length + " entries but x " + Shapes.str(x) + " has " + n
                    + " rows");
        }
        c.ids("adapterOfRow", adapterOfRow, adapters, -1);
        c.distinct(new String[] {"x", "a", "b", "scales", "y"}, x, a, b, scales, y);
        inner.loraMixedForward(x, a, b, scales, adapterOfRow, y);
    }

    /** Checks x, W, A, B, s, dropMask of a LoRA call; returns {N, out, r}. */
    private static int[] loraShapes(ArgumentChecks c, Tensor x, Tensor w, Tensor a, Tensor b, float s, Tensor dropMask) {
        c.tensor("x", x);
        c.tensor("w", w);
        c.tensor("a", a);
        c.tensor("b", b);
        c.optional("dropMask", dropMask);
        c.finite("s", s);
        int[] wm = weight(c, "w", w);
        int n = c.lastDim("x", x, wm[1]);
        if (a.rank() != 2 || a.dim(1) != wm[1]) {
            throw c.fail("a must be [r, in] = [r, " + wm[1] + "] but has shape " + Shapes.str(a));
        }
        int r = a.dim(0);
        if (r < 1) {
            throw c.fail("LoRA rank r must be ≥ 1 but a has shape " + Shapes.str(a));
        }
        c.shape("b", b, wm[0], r);
        c.sameShape("dropMask", dropMask, "x", x);
        return new int[] {n, wm[0], r};
    }

    @Override public void adapterForward(Tensor x, Tensor residual, AdapterWeights w, Tensor y, Tensor z) {
        ArgumentChecks c = check("adapterForward");
        c.notNull("w", w);
        Tensor wDown = w.wDown(), bDown = w.bDown(), wUp = w.wUp(), bUp = w.bUp();
        Activation f = w.f();
        float s = w.s();
        int[] d = adapterShapes(c, x, wDown, bDown, wUp, bUp, f, s);
        c.tensor("residual", residual);
        c.tensor("y", y);
        c.tensor("z", z);
        c.sameShape("residual", residual, "x", x);
        c.sameShape("y", y, "x", x);
        c.lastDim("z", z, d[2]);
        c.rows("z", z, d[0]);
        c.distinct(new String[] {"x", "wDown", "bDown", "wUp", "bUp", "y", "z"}, x, wDown, bDown, wUp, bUp, y, z);
        c.inPlaceOrDisjoint("residual", residual, "y", y);
        inner.adapterForward(x, residual, w, y, z);
    }

    @Override public void adapterBackward(Tensor dy, Tensor x, AdapterWeights w, Tensor z, AdapterGradients grads) {
        ArgumentChecks c = check("adapterBackward");
        c.notNull("w", w);
        c.notNull("grads", grads);
        Tensor wDown = w.wDown(), wUp = w.wUp(), bUp = w.bUp();
        Activation f = w.f();
        float s = w.s();
        Tensor dx = grads.dx(), dWDown = grads.dWDown(), dbDown = grads.dbDown(), dWUp = grads.dWUp(), dbUp = grads.dbUp(), dScale = grads.dScale();
        int[] d = adapterShapes(c, x, wDown, null, wUp, bUp, f, s);
        c.tensor("dy", dy);
        c.tensor("z", z);
        c.sameShape("dy", dy, "x", x);
        c.lastDim("z", z, d[2]);
        c.rows("z", z, d[0]);
        c.optional("dx", dx);
        c.optional("dWDown", dWDown);
        c.optional("dbDown", dbDown);
        c.optional("dWUp", dWUp);
        c.optional("dbUp", dbUp);
        c.optional("dScale", dScale);
        c.sameShape("dx", dx, "x", x);
        c.sameShape("dWDown", dWDown, "wDown", wDown);
        c.shape("dbDown", dbDown, d[2]);
        c.sameShape("dWUp", dWUp, "wUp", wUp);
        c.shape("dbUp", dbUp, d[1]);
        c.shape("dScale", dScale, 1);
        c.distinct(new String[] {"dy", "x", "wDown", "wUp", "bUp", "z", "dx", "dWDown", "dbDown", "dWUp", "dbUp", "dScale"},
                dy, x, wDown, wUp, bUp, z, dx, dWDown, dbDown, dWUp, dbUp, dScale);
        inner.adapterBackward(dy, x, w, z, grads);
    }

    /** Checks an adapter's x, weights, biases, activation and scale; returns {N, d, m}. */
    private static int[] adapterShapes(ArgumentChecks c, Tensor x, Tensor wDown, Tensor bDown, Tensor wUp, Tensor bUp,
                                       Activation f, float s) {
        c.tensor("x", x);
        c.tensor("wDown", wDown);
        c.tensor("wUp", wUp);
        c.optional("bDown", bDown);
        c.optional("bUp", bUp);
        c.notNull("activation", f);
        c.finite("s", s);
        int[] wd = weight(c, "wDown", wDown);
        int m = wd[0];
        int dim = wd[1];
        if (m < 1) {
            throw c.fail("adapter bottleneck size must be ≥ 1 but wDown has shape " + Shapes.str(wDown));
        }
        int n = c.lastDim("x", x, dim);
        c.shape("wUp", wUp, dim, m);
        c.shape("bDown", bDown, m);
        c.shape("bUp", bUp, dim);
        return new int[] {n, dim, m};
    }

    @Override public void attentionForward(AttentionInputs in, Tensor out, Tensor lse) {
        ArgumentChecks c = check("attentionForward");
        c.notNull("in", in);
        Tensor q = in.q(), k = in.k(), v = in.v(), prefixK = in.prefixK(), prefixV = in.prefixV(), keyMask = in.keyMask();
        boolean causal = in.causal();
        int heads = in.heads();
        int[] d = attentionShapes(c, q, k, v, prefixK, prefixV, keyMask, heads);
        c.tensor("out", out);
        c.tensor("lse", lse);
        c.sameShape("out", out, "q", q);
        c.shape("lse", lse, d[0], heads, d[1]);
        c.distinct(new String[] {"q", "k", "v", "prefixK", "prefixV", "keyMask", "out", "lse"},
                q, k, v, prefixK, prefixV, keyMask, out, lse);
        inner.attentionForward(in, out, lse);
    }

    @Override public void attentionBackward(Tensor dOut, AttentionInputs in, Tensor out, Tensor lse, AttentionGradients grads) {
        ArgumentChecks c = check("attentionBackward");
        c.notNull("in", in);
        c.notNull("grads", grads);
        if (in.skipMaskedQueries()) {
            throw new IllegalArgumentException("attentionBackward: in.skipMaskedQueries() is set, but a backward reads"
                    + " every query row of out and lse; run the forward without it");
        }
        Tensor q = in.q(), k = in.k(), v = in.v(), prefixK = in.prefixK(), prefixV = in.prefixV(), keyMask = in.keyMask();
        boolean causal = in.causal();
        int heads = in.heads();
        Tensor dq = grads.dq(), dk = grads.dk(), dv = grads.dv(), dPrefixK = grads.dPrefixK(), dPrefixV = grads.dPrefixV();
        int[] d = attentionShapes(c, q, k, v, prefixK, prefixV, keyMask, heads);
        c.tensor("dOut", dOut);
        c.tensor("out", out);
        c.tensor("lse", lse);
        c.sameShape("dOut", dOut, "q", q);
        c.sameShape("out", out, "q", q);
        c.shape("lse", lse, d[0], heads, d[1]);
        c.optional("dq", dq);
        c.optional("dk", dk);
        c.optional("dv", dv);
        c.optional("dPrefixK", dPrefixK);
        c.optional("dPrefixV", dPrefixV);
        c.sameShape("dq", dq, "q", q);
        c.sameShape("dk", dk, "k", k);
        c.sameShape("dv", dv, "v", v);
        if ((dPrefixK != null || dPrefixV != null) && prefixK == null) {
            throw c.fail("dPrefixK/dPrefixV given but there is no prefix (prefixK is null)");
        }
        if (prefixK != null) {
            c.sameShape("dPrefixK", dPrefixK, "prefixK", prefixK);
            c.sameShape("dPrefixV", dPrefixV, "prefixV", prefixV);
        }
        c.distinct(new String[] {"dOut", "q", "k", "v", "prefixK", "prefixV", "keyMask", "out", "lse", "dq", "dk", "dv",
                "dPrefixK", "dPrefixV"}, dOut, q, k, v, prefixK, prefixV, keyMask, out, lse, dq, dk, dv, dPrefixK, dPrefixV);
        inner.attentionBackward(dOut, in, out, lse, grads);
    }

    /** Checks q, k, v [B,T,D], the prefixes [L,D], the mask [B,T] and heads | D; returns {B, T, D, L}. */
    private static int[] attentionShapes(ArgumentChecks c, Tensor q, Tensor k, Tensor v, Tensor prefixK, Tensor prefixV,
                                         Tensor keyMask, int heads) {
        c.tensor("q", q);
        c.tensor("k", k);
        c.tensor("v", v);
        c.optional("prefixK", prefixK);
        c.optional("prefixV", prefixV);
        c.optional("keyMask", keyMask);
        if (q.rank() != 3) {
            throw c.fail("q must be [B, T, heads·dh] but has shape " + Shapes.str(q));
        }
        c.sameShape("k", k, "q", q);
        c.sameShape("v", v, "q", q);
        int dModel = q.dim(2);
        if (heads < 1 || dModel % heads != 0) {
            throw c.fail("heads = " + heads + " must be ≥ 1 and divide the model width " + dModel + " of q " + Shapes.str(q));
        }
        if ((prefixK == null) != (prefixV == null)) {
            throw c.fail("prefixK and prefixV must both be given or both be null; got prefixK "
                    + Shapes.str(prefixK) + ", prefixV " + Shapes.str(prefixV));
        }
        int len = 0;
        if (prefixK != null) {
            if (prefixK.rank() != 2 || prefixK.dim(1) != dModel) {
                throw c.fail("prefixK must be [L, " + dModel + "] but has shape " + Shapes.str(prefixK));
            }
            len = prefixK.dim(0);
            c.sameShape("prefixV", prefixV, "prefixK", prefixK);
        }
        c.shape("keyMask", keyMask, q.dim(0), q.dim(1));
        return new int[] {q.dim(0), q.dim(1), dModel, len};
    }

    @Override public void scaleForward(Tensor x, Tensor l, Tensor y) {
        ArgumentChecks c = check("scaleForward");
        c.tensor("x", x);
        c.tensor("l", l);
        c.tensor("y", y);
        if (l.rank() != 1) {
            throw c.fail("l must be a vector [D] but has shape " + Shapes.str(l));
        }
        c.lastDim("x", x, l.dim(0));
        c.sameShape("y", y, "x", x);
        c.distinct(new String[] {"l", "y"}, l, y);
        c.inPlaceOrDisjoint("x", x, "y", y);
        inner.scaleForward(x, l, y);
    }

    @Override public void scaleBackward(Tensor dy, Tensor x, Tensor l, Tensor dx, Tensor dl) {
        ArgumentChecks c = check("scaleBackward");
        c.tensor("dy", dy);
        c.tensor("x", x);
        c.tensor("l", l);
        c.optional("dx", dx);
        c.optional("dl", dl);
        if (l.rank() != 1) {
            throw c.fail("l must be a vector [D] but has shape " + Shapes.str(l));
        }
        c.lastDim("x", x, l.dim(0));
        c.sameShape("dy", dy, "x", x);
        c.sameShape("dx", dx, "x", x);
        c.sameShape("dl", dl, "l", l);
        c.distinct(new String[] {"dy", "x", "l", "dx", "dl"}, dy, x, l, dx, dl);
        inner.scaleBackward(dy, x, l, dx, dl);
    }

    @Override public void biasGradient(Tensor dy, Tensor db) {
        ArgumentChecks c = check("biasGradient");
        c.tensor("dy", dy);
        c.tensor("db", db);
        if (db.rank() != 1) {
            throw c.fail("db must be a vector [D] but has shape " + Shapes.str(db));
        }
        c.lastDim("dy", dy, db.dim(0));
        c.distinct(new String[] {"dy", "db"}, dy, db);
        inner.biasGradient(dy, db);
    }

    @Override public void maskedBiasUpdate(Tensor dy, Tensor bias, Tensor mask, Tensor m, Tensor v, AdamW hp, long step,
                                           Tensor db) {
        ArgumentChecks c = check("maskedBiasUpdate");
        c.tensor("dy", dy);
        c.tensor("bias", bias);
        c.tensor("mask", mask);
        c.tensor("m", m);
        c.tensor("v", v);
        c.optional("db", db);
        c.notNull("hp", hp);
        if (step < 1) {
            throw c.fail("step must be ≥ 1, got " + step);
        }
        if (bias.rank() != 1) {
            throw c.fail("bias must be a vector [D] but has shape " + Shapes.str(bias));
        }
        c.lastDim("dy", dy, bias.dim(0));
        c.sameShape("mask", mask, "bias", bias);
        c.sameShape("m", m, "bias", bias);
        c.sameShape("v", v, "bias", bias);
        c.sameShape("db", db, "bias", bias);
        c.distinct(new String[] {"dy", "bias", "mask", "m", "v", "db"}, dy, bias, mask, m, v, db);
        inner.maskedBiasUpdate(dy, bias, mask, m, v, hp, step, db);
    }

    @Override public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor mean,
                                           Tensor rstd) {
        ArgumentChecks c = check("layerNormForward");
        c.tensor("x", x);
        c.tensor("gamma", gamma);
        c.optional("beta", beta);
        c.tensor("y", y);
        c.tensor("mean", mean);
        c.tensor("rstd", rstd);
        c.finite("eps", eps);
        if (eps <= 0) {
            throw c.fail("eps must be > 0, got " + eps);
        }
        if (gamma.rank() != 1) {
            throw c.fail("gamma must be a vector [D] but has shape " + Shapes.str(gamma));
        }
        int rows = c.lastDim("x", x, gamma.dim(0));
        c.sameShape("beta", beta, "gamma", gamma);
        c.sameShape("y", y, "x", x);
        c.shape("mean", mean, rows);
        c.shape("rstd", rstd, rows);
        c.distinct(new String[] {"x", "gamma", "beta", "y", "mean", "rstd"}, x, gamma, beta, y, mean, rstd);
        inner.layerNormForward(x, gamma, beta, eps, y, mean, rstd);
    }

    @Override public void layerNormBackward(Tensor dy, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx,
                                            Tensor dGamma, Tensor dBeta) {
        ArgumentChecks c = check("layerNormBackward");
        c.tensor("dy", dy);
        c.tensor("x", x);
        c.tensor("gamma", gamma);
        c.tensor("mean", mean);
        c.tensor("rstd", rstd);
        c.optional("dx", dx);
        c.optional("dGamma", dGamma);
        c.optional("dBeta", dBeta);
        if (gamma.rank() != 1) {
            throw c.fail("gamma must be a vector [D] but has shape " + Shapes.str(gamma));
        }
        int rows = c.lastDim("x", x, gamma.dim(0));
        c.sameShape("dy", dy, "x", x);
        c.shape("mean", mean, rows);
        c.shape("rstd", rstd, rows);
        c.sameShape("dx", dx, "x", x);
        c.sameShape("dGamma", dGamma, "gamma", gamma);
        c.sameShape("dBeta", dBeta, "gamma", gamma);
        c.distinct(new String[] {"dy", "x", "gamma", "mean", "rstd", "dx", "dGamma", "dBeta"},
                dy, x, gamma, mean, rstd, dx, dGamma, dBeta);
        inner.layerNormBackward(dy, x, gamma, mean, rstd, dx, dGamma, dBeta);
    }

    @Override public void activationForward(Activation f, Tensor x, Tensor y) {
        ArgumentChecks c = check("activationForward");
        c.notNull("activation", f);
        c.tensor("x", x);
        c.tensor("y", y);
        c.sameShape("y", y, "x", x);
        c.inPlaceOrDisjoint("x", x, "y", y);
        inner.activationForward(f, x, y);
    }

    @Override public void activationBackward(Activation f, Tensor dy, Tensor x, Tensor dx) {
        ArgumentChecks c = check("activationBackward");
        c.notNull("activation", f);
        c.tensor("dy", dy);
        c.tensor("x", x);
        c.tensor("dx", dx);
        c.sameShape("dy", dy, "x", x);
        c.sameShape("dx", dx, "x", x);
        c.distinct(new String[] {"x", "dx"}, x, dx);
        c.inPlaceOrDisjoint("dy", dy, "dx", dx);
        inner.activationBackward(f, dy, x, dx);
    }

    @Override public void softmaxForward(Tensor x, Tensor y) {
        ArgumentChecks c = check("softmaxForward");
        c.tensor("x", x);
        c.tensor("y", y);
        if (x.rank() < 1) {
            throw c.fail("x must have rank ≥ 1");
        }
        c.sameShape("y", y, "x", x);
        c.inPlaceOrDisjoint("x", x, "y", y);
        inner.softmaxForward(x, y);
    }

    @Override public void softmaxBackward(Tensor dy, Tensor y, Tensor dx) {
        ArgumentChecks c = check("softmaxBackward");
        c.tensor("dy", dy);
        c.tensor("y", y);
        c.tensor("dx", dx);
        if (y.rank() < 1) {
            throw c.fail("y must have rank ≥ 1");
        }
        c.sameShape("dy", dy, "y", y);
        c.sameShape("dx", dx, "y", y);
        c.distinct(new String[] {"dy", "y", "dx"}, dy, y, dx);
        inner.softmaxBackward(dy, y, dx);
    }

    @Override public void embeddingForward(Tensor table, int[] ids, Tensor out) {
        ArgumentChecks c = check("embeddingForward");
        c.tensor("table", table);
        c.tensor("out", out);
        if (table.rank() != 2) {
            throw c.fail("table must be [V, D] but has shape " + Shapes.str(table));
        }
        c.ids("ids", ids, table.dim(0), null);
        c.lastDim("out", out, table.dim(1));
        c.rows("out", out, ids.length);
        c.distinct(new String[] {"table", "out"}, table, out);
        inner.embeddingForward(table, ids, out);
    }

    @Override public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        ArgumentChecks c = check("embeddingBackward");
        c.tensor("dOut", dOut);
        c.tensor("dTable", dTable);
        if (dTable.rank() != 2) {
            throw c.fail("dTable must be [V, D] but has shape " + Shapes.str(dTable));
        }
        c.ids("ids", ids, dTable.dim(0), null);
        c.lastDim("dOut", dOut, dTable.dim(1));
        c.rows("dOut", dOut, ids.length);
        c.distinct(new String[] {"dOut", "dTable"}, dOut, dTable);
        inner.embeddingBackward(dOut, ids, dTable);
    }

    @Override public void meanPoolForward(Tensor x, Tensor mask, Tensor out) {
        ArgumentChecks c = check("meanPoolForward");
        c.tensor("x", x);
        c.optional("mask", mask);
        c.tensor("out", out);
        if (x.rank() != 3) {
            throw c.fail("x must be [B, T, D] but has shape " + Shapes.str(x));
        }
        c.shape("mask", mask, x.dim(0), x.dim(1));
        c.shape("out", out, x.dim(0), x.dim(2));
        c.distinct(new String[] {"x", "mask", "out"}, x, mask, out);
        inner.meanPoolForward(x, mask, out);
    }

    @Override public void meanPoolBackward(Tensor dOut, Tensor mask, Tensor dx) {
        ArgumentChecks c = check("meanPoolBackward");
        c.tensor("dOut", dOut);
        c.optional("mask", mask);
        c.tensor("dx", dx);
        if (dx.rank() != 3) {
            throw c.fail("dx must be [B, T, D] but has shape " + Shapes.str(dx));
        }
        c.shape("mask", mask, dx.dim(0), dx.dim(1));
        c.shape("dOut", dOut, dx.dim(0), dx.dim(2));
        c.distinct(new String[] {"dOut", "mask", "dx"}, dOut, mask, dx);
        inner.meanPoolBackward(dOut, mask, dx);
    }

    @Override public void dropoutForward(Tensor x, float p, long seed, Tensor y, Tensor mask) {
        ArgumentChecks c = check("dropoutForward");
        c.tensor("x", x);
        c.tensor("y", y);
        c.optional("mask", mask);
        c.finite("p", p);
        if (p < 0 || p >= 1) {
            throw c.fail("dropout probability p must lie in [0, 1), got " + p);
        }
        c.sameShape("y", y, "x", x);
        c.sameShape("mask", mask, "x", x);
        c.distinct(new String[] {"x", "mask"}, x, mask);
        c.distinct(new String[] {"y", "mask"}, y, mask);
        c.inPlaceOrDisjoint("x", x, "y", y);
        inner.dropoutForward(x, p, seed, y, mask);
    }

    @Override public float crossEntropyForward(Tensor logits, int[] targets, Tensor probs) {
        crossEntropyChecks(logits, targets, probs, false, null);
        return inner.crossEntropyForward(logits, targets, probs);
    }

    @Override public void crossEntropyForward(Tensor logits, int[] targets, Tensor probs, Tensor loss) {
        crossEntropyChecks(logits, targets, probs, true, loss);
        inner.crossEntropyForward(logits, targets, probs, loss);
    }

    /** The cross-entropy forward's arguments; {@code onDevice}: the form that writes the loss into a tensor. */
    private void crossEntropyChecks(Tensor logits, int[] targets, Tensor probs, boolean onDevice, Tensor loss) {
        ArgumentChecks c = check("crossEntropyForward");
        if (onDevice) {
            c.tensor("loss", loss);
            c.shape("loss", loss, 1);
        }
        c.tensor("logits", logits);
        c.tensor("probs", probs);
        if (logits.rank() != 2) {
            throw c.fail("logits must be [N, C] but has shape " + Shapes.str(logits));
        }
        c.sameShape("probs", probs, "logits", logits);
        c.notNull("targets", targets);
        if (targets.length != logits.dim(0)) {
            throw c.fail("targets has " + targets.length + " entries but logits " + Shapes.str(logits) + " has "
                    + logits.dim(0) + " rows");
        }
        c.ids("targets", targets, logits.dim(1), IGNORE_INDEX);
        c.distinct(new String[] {"logits", "probs", "loss"}, logits, probs, loss);
    }

    @Override public void crossEntropyBackward(Tensor probs, int[] targets, float scale, Tensor dLogits) {
        ArgumentChecks c = check("crossEntropyBackward");
        c.tensor("probs", probs);
        c.tensor("dLogits", dLogits);
        c.finite("scale", scale);
        if (probs.rank() != 2) {
            throw c.fail("probs must be [N, C] but has shape " + Shapes.str(probs));
        }
        c.sameShape("dLogits", dLogits, "probs", probs);
        c.notNull("targets", targets);
        if (targets.length != probs.dim(0)) {
            throw c.fail("targets has " + targets.length + " entries but probs " + Shapes.str(probs) + " has "
                    + probs.dim(0) + " rows");
        }
        c.ids("targets", targets, probs.dim(1), IGNORE_INDEX);
        c.distinct(new String[] {"probs", "dLogits"}, probs, dLogits);
        inner.crossEntropyBackward(probs, targets, scale, dLogits);
    }

    @Override public void adamW(Tensor[] params, Tensor[] grads, Tensor[] m, Tensor[] v, AdamW hp, long step) {
        ArgumentChecks c = check("adamW");
        c.notNull("params", params);
        c.notNull("grads", grads);
        c.notNull("m", m);
        c.notNull("v", v);
        c.notNull("hp", hp);
        if (step < 1) {
            throw c.fail("step must be ≥ 1, got " + step);
        }
        if (grads.length != params.length || m.length != params.length || v.length != params.length) {
            throw c.fail("params, grads, m, v must have the same length; got " + params.length + ", " + grads.length
                    + ", " + m.length + ", " + v.length);
        }
        for (int i = 0; i < params.length; i++) {
            c.tensor("params[" + i + "]", params[i]);
            c.tensor("grads[" + i + "]", grads[i]);
            c.tensor("m[" + i + "]", m[i]);
            c.tensor("v[" + i + "]", v[i]);
            c.sameShape("grads[" + i + "]", grads[i], "params[" + i + "]", params[i]);
            c.sameShape("m[" + i + "]", m[i], "params[" + i + "]", params[i]);
            c.sameShape("v[" + i + "]", v[i], "params[" + i + "]", params[i]);
        }
        int n = params.length;
        String[] names = new String[4 * n];
        Tensor[] all = new Tensor[4 * n];
        for (int i = 0; i < n; i++) {
            names[4 * i] = "params[" + i + "]";
            names[4 * i + 1] = "grads[" + i + "]";
            names[4 * i + 2] = "m[" + i + "]";
            names[4 * i + 3] = "v[" + i + "]";
            all[4 * i] = params[i];
            all[4 * i + 1] = grads[i];
            all[4 * i + 2] = m[i];
            all[4 * i + 3] = v[i];
        }
        c.distinct(names, all);
        inner.adamW(params, grads, m, v, hp, step);
    }

    @Override public float clipGradNorm(Tensor[] grads, float maxNorm) {
        clipChecks(grads, maxNorm, false, null);
        return inner.clipGradNorm(grads, maxNorm);
    }

    @Override public void clipGradNorm(Tensor[] grads, float maxNorm, Tensor norm) {
        clipChecks(grads, maxNorm, true, norm);
        inner.clipGradNorm(grads, maxNorm, norm);
    }

    /** The clipping's arguments; {@code onDevice}: the form that writes the norm into a tensor. */
    private void clipChecks(Tensor[] grads, float maxNorm, boolean onDevice, Tensor norm) {
        ArgumentChecks c = check("clipGradNorm");
        if (onDevice) {
            c.tensor("norm", norm);
            c.shape("norm", norm, 1);
        }
        c.notNull("grads", grads);
        c.finite("maxNorm", maxNorm);
        if (maxNorm <= 0) {
            throw c.fail("maxNorm must be > 0, got " + maxNorm);
        }
        String[] names = new String[grads.length];
        for (int i = 0; i < grads.length; i++) {
            names[i] = "grads[" + i + "]";
            c.tensor(names[i], grads[i]);
        }
        String[] all = java.util.Arrays.copyOf(names, grads.length + 1);
        all[grads.length] = "norm";
        Tensor[] tensors = java.util.Arrays.copyOf(grads, grads.length + 1);
        tensors[grads.length] = norm;
        c.distinct(all, tensors);
    }

    @Override public void close() {
        inner.close();
    }
}
