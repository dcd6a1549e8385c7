package dev.peft4j.model;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.List;

/**
 * One post-LN BERT layer with its PEFT modules, x {@code [N,d]} → h {@code [N,d]}:
 * <pre>
 *   a  = drop(SelfAttention(x));  a ← attnAdapter(a, a)          (serial, Houlsby)
 *   h₁ = LN₁(a + x)
 *   f  = γ(h₁ W₁ᵀ + b₁);          f ← l_ff ⊙ f                    ((IA)³)
 *   o  = drop(f W₂ᵀ + b₂);         o ← ffnAdapter(o, o)            (serial, Houlsby/Pfeiffer)
 *                                  o ← parallelAdapter(h₁, o)      (parallel: reads the FFN input)
 *   h  = LN₂(o + h₁)
 * </pre>
 * The backward walks the same graph in reverse; a residual passes its gradient through unchanged.
 */
final class EncoderLayer implements AutoCloseable {
    final int index;
    final SelfAttention attention;
    final LayerNorm ln1;
    final Linear ffnIn;
    final Linear ffnOut;
    final LayerNorm ln2;
    final Activation activation;
    Adapter attnAdapter;
    Adapter ffnAdapter;
    Adapter parallelAdapter;
    Parameter ia3Ffn;
    private final float hiddenDropout;
    private final Backend be;
    private final Buffers buf;
    private Tensor x;
    private Tensor h1;
    private Tensor ffnPre;
    private Tensor ffnAct;
    private boolean dropped;

    EncoderLayer(Backend be, int index, SelfAttention attention, LayerNorm ln1, Linear ffnIn, Linear ffnOut, LayerNorm ln2,
                 Activation activation, float hiddenDropout) {
        this.be = be;
        this.index = index;
        this.attention = attention;
        this.ln1 = ln1;
        this.ffnIn = ffnIn;
        this.ffnOut = ffnOut;
        this.ln2 = ln2;
        this.activation = activation;
        this.hiddenDropout = hiddenDropout;
        this.buf = new Buffers(be);
    }

    Tensor forward(Tensor x, Pass pass) {
        this.x = x;
        int n = x.dim(0);
        int d = x.dim(1);
        dropped = pass.training() && hiddenDropout > 0;
        Tensor a = attention.forward(x, pass, pass.siteSeed(index, 0));
        a = dropout(a, pass, 10, "attnMask");
        if (attnAdapter != null) {
            a = attnAdapter.forward(a, a);
        }
        Tensor s1 = buf.get("s1", n, d);
        be.add(a, x, s1);
        h1 = ln1.forward(s1);

        ffnPre = ffnIn.forward(h1, pass, pass.siteSeed(index, 20));
        ffnAct = buf.get("ffnAct", n, ffnIn.out());
        be.activationForward(activation, ffnPre, ffnAct);
        Tensor f = ffnAct;
        if (ia3Ffn != null) {
            f = buf.get("ffnScaled", n, ffnIn.out());
            be.scaleForward(ffnAct, ia3Ffn.value(), f);
        }
        Tensor o = ffnOut.forward(f, pass, pass.siteSeed(index, 30));
        o = dropout(o, pass, 40, "ffnMask");
        if (ffnAdapter != null) {
            o = ffnAdapter.forward(o, o);
        }
        if (parallelAdapter != null) {
            o = parallelAdapter.forward(h1, o);
        }
        Tensor s2 = buf.get("s2", n, d);
        be.add(o, h1, s2);
        return ln2.forward(s2);
    }

    /** In-place inverted dropout of t with a mask kept for the backward. */
    private Tensor dropout(Tensor t, Pass pass, int site, String maskKey) {
        if (!dropped) {
            return t;
        }
        be.dropoutForward(t, hiddenDropout, pass.siteSeed(index, site), t, buf.get(maskKey, t.shape()));
        return t;
    }

    /** dx {@code [N,d]} (a buffer) from dh; fills the gradients of every trainable parameter of the layer. */
    Tensor backward(Tensor dh) {
        int n = dh.dim(0);
        int d = dh.dim(1);
        Tensor ds2 = ln2.backward(dh);
        // o and h₁ both receive ds2 through the residual.
        Tensor dh1 = buf.get("dh1", n, d);
        be.copy(ds2, dh1);
        Tensor dOut = ds2;
        if (parallelAdapter != null) {
            be.add(dh1, parallelAdapter.backward(ds2), dh1);
        }
        if (ffnAdapter != null) {
            Tensor dPre = buf.get("dFfnAdapterIn", n, d);
            be.add(dOut, ffnAdapter.backward(dOut), dPre);
            dOut = dPre;
        }
        if (dropped) {
            be.mul(dOut, buf.get("ffnMask", n, d), dOut);
        }
        Tensor df = ffnOut.backward(dOut, true);
        if (ia3Ffn != null) {
            Tensor dAct = buf.get("dFfnAct", n, ffnIn.out());
            be.scaleBackward(df, ffnAct, ia3Ffn.value(), dAct, ia3Ffn.grad());
            df = dAct;
        }
        Tensor dPreAct = buf.get("dFfnPre", n, ffnIn.out());
        be.activationBackward(activation, df, ffnPre, dPreAct);
        be.add(dh1, ffnIn.backward(dPreAct, true), dh1);

        Tensor ds1 = ln1.backward(dh1);
        Tensor da = ds1;
        if (attnAdapter != null) {
            Tensor dPre = buf.get("dAttnAdapterIn", n, d);
            be.add(da, attnAdapter.backward(da), dPre);
            da = dPre;
        }
        if (dropped) {
            Tensor masked = buf.get("dAttnMasked", n, d);
            be.mul(da, buf.get("attnMask", n, d), masked);
            da = masked;
        }
        Tensor dx = buf.get("dx", n, d);
        be.add(ds1, attention.backward(da), dx);
        return dx;
    }

    void collect(List<Parameter> out) {
        attention.collect(out);
        ln1.collect(out);
        ffnIn.collect(out);
        ffnOut.collect(out);
        ln2.collect(out);
        for (Adapter a : new Adapter[] {attnAdapter, ffnAdapter, parallelAdapter}) {
            if (a != null) {
                a.collect(out);
            }
        }
        if (ia3Ffn != null) {
            out.add(ia3Ffn);
        }
    }

    @Override
    public void close() {
        buf.close();
        attention.close();
        ln1.close();
        ffnIn.close();
        ffnOut.close();
        ln2.close();
        for (Adapter a : new Adapter[] {attnAdapter, ffnAdapter, parallelAdapter}) {
            if (a != null) {
                a.close();
            }
        }
    }
}
