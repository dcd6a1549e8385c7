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
    EncoderLayer(Backend be, int index, SelfAttention attention, LayerNorm ln1, Linear ffnIn, Linear ffnOut, LayerNorm ln2,
                 Activation activation, float hiddenDropout) {
        super(be, index, attention, ln1, ffnIn, ffnOut, ln2, activation, hiddenDropout);
    }

    @Override
    Tensor forward(Tensor x, Pass pass) {
        int n = x.dim(0);
        int d = x.dim(1);
        Tensor s1 = buf.get("s1", n, d);
        be.add(attentionBranch(x, pass), x, s1);
        Tensor h1 = ln1.forward(s1);
        Tensor s2 = buf.get("s2", n, d);
        be.add(ffnBranch(h1, pass), h1, s2);
        return ln2.forward(s2);
    }

    @Override
    Tensor backward(Tensor dh, boolean needDx) {
        int n = dh.dim(0);
        int d = dh.dim(1);
        Tensor ds2 = ln2.backward(dh);
        // h₁ receives ds2 through the residual and through the FFN branch.
        Tensor dh1 = buf.get("dh1", n, d);
        be.add(ds2, ffnBranchBackward(ds2), dh1);
        Tensor ds1 = ln1.backward(dh1);
        Tensor dAttn = attentionBranchBackward(ds1, needDx);
        if (!needDx) {
            return null;
        }
        Tensor dx = buf.get("dx", n, d);
        be.add(ds1, dAttn, dx);
        return dx;
    }
}
