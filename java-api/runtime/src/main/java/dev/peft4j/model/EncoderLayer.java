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
                 Activation activation, float hiddenDropout, ScratchSource scratch) {
        super(be, index, attention, ln1, ffnIn, ffnOut, ln2, activation, hiddenDropout, scratch);
    }

    private final ReusedTensor s1 = owned.next();            // [N,d], a + x (LN₁'s saved input)
    private final ReusedTensor s2 = owned.next();            // [N,d], o + h₁ (LN₂'s saved input)
    private final ReusedTensor dh1 = backwardScratch.next(); // [N,d]
    private final ReusedTensor dx = owned.next();            // [N,d], returned to the layer below: never shared

    @Override
    Tensor forward(Tensor x, Pass pass) {
        int n = x.dim(0);
        int d = x.dim(1);
        Tensor sum1 = s1.shaped(n, d);
        be.add(attentionBranch(x, pass), x, sum1);
        Tensor h1 = ln1.forward(sum1);
        Tensor sum2 = s2.shaped(n, d);
        be.add(ffnBranch(h1, pass), h1, sum2);
        return ln2.forward(sum2);
    }

    @Override
    Tensor backward(Tensor dh, boolean needDx) {
        int n = dh.dim(0);
        int d = dh.dim(1);
        Tensor ds2 = ln2.backward(dh);
        // h₁ receives ds2 through the residual and through the FFN branch.
        Tensor dH1 = dh1.shaped(n, d);
        be.add(ds2, ffnBranchBackward(ds2), dH1);
        Tensor ds1 = ln1.backward(dH1);
        Tensor dAttn = attentionBranchBackward(ds1, needDx);
        if (!needDx) {
            return null;
        }
        Tensor dX = dx.shaped(n, d);
        be.add(ds1, dAttn, dX);
        return dX;
    }
}
