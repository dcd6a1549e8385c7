package dev.peft4j.model;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;

/**
 * One post-LN BERT layer with its PEFT modules, x {@code [N,d]} → h {@code [N,d]}:
 * <pre>
 *   a  = drop(SelfAttention(x));  a ← attnAdapter(a, a)          (serial, Houlsby)
 *   h₁ = LN₁(a + x)
 *   o  = drop(FFN(h₁));            o ← ffnAdapter(o, o)            (serial, Houlsby/Pfeiffer)
 *                                  o ← parallelAdapter(h₁, o)      (parallel: reads the FFN input)
 *   h  = LN₂(o + h₁)
 * </pre>
 * The backward walks the same graph in reverse; a residual passes its gradient through unchanged.
 */
final class EncoderLayer extends TransformerLayer {
    private boolean dropped;

    EncoderLayer(Backend be, int index, SelfAttention attention, LayerNorm ln1, Linear ffnIn, Linear ffnOut, LayerNorm ln2,
                 Activation activation, float hiddenDropout) {
        super(be, index, attention, ln1, ffnIn, ffnOut, ln2, activation, hiddenDropout);
    }

    @Override
    Tensor forward(Tensor x, Pass pass) {
        int n = x.dim(0);
        int d = x.dim(1);
        dropped = pass.training() && dropout > 0;
        Tensor a = attention.forward(x, pass, pass.siteSeed(index, 0));
        if (dropped) {
            a = dropout(a, pass, 10, "attnMask");
        }
        if (attnAdapter != null) {
            a = attnAdapter.forward(a, a);
        }
        Tensor s1 = buf.get("s1", n, d);
        be.add(a, x, s1);
        Tensor h1 = ln1.forward(s1);
        Tensor o = feedForward(h1, pass);
        if (dropped) {
            o = dropout(o, pass, 40, "ffnMask");
        }
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

    @Override
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
            Tensor masked = buf.get("dFfnMasked", n, d);
            be.mul(dOut, buf.get("ffnMask", n, d), masked);
            dOut = masked;
        }
        be.add(dh1, feedForwardBackward(dOut), dh1);

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
}
