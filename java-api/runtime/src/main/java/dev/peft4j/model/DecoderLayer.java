package dev.peft4j.model;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;

/**
 * One pre-LN GPT-2 layer with its PEFT modules, x {@code [N,d]} → x₂ {@code [N,d]}:
 * <pre>
 *   a  = drop(CausalSelfAttention(LN₁(x)));   a ← attnAdapter(a, a)
 *   x₁ = x + a
 *   g  = LN₂(x₁);  o = drop(FFN(g));  o ← ffnAdapter(o, o);  o ← parallelAdapter(g, o)
 *   x₂ = x₁ + o
 * </pre>
 */
final class DecoderLayer extends TransformerLayer {
    DecoderLayer(Backend be, int index, LayerNorm ln1, SelfAttention attention, LayerNorm ln2, Linear ffnIn, Linear ffnOut,
                 Activation activation, float dropout, ScratchSource scratch) {
        super(be, index, attention, ln1, ffnIn, ffnOut, ln2, activation, dropout, scratch);
    }

    private final ReusedTensor x1 = owned.next();            // [N,d], x + a (LN₂'s saved input)
    private final ReusedTensor x2 = owned.next();            // [N,d], the layer's output
    private final ReusedTensor dx1 = backwardScratch.next(); // [N,d]
    private final ReusedTensor dx = owned.next();            // [N,d], returned to the layer below: never shared

    @Override
    Tensor forward(Tensor x, Pass pass) {
        int n = x.dim(0);
        int d = x.dim(1);
        Tensor sum1 = x1.shaped(n, d);
        be.add(x, attentionBranch(ln1.forward(x), pass), sum1);
        Tensor sum2 = x2.shaped(n, d);
        be.add(sum1, ffnBranch(ln2.forward(sum1), pass), sum2);
        return sum2;
    }

    @Override
    Tensor backward(Tensor dx2, boolean needDx) {
        int n = dx2.dim(0);
        int d = dx2.dim(1);
        // x₂ = x₁ + o and x₁ = x + a: each residual passes its gradient through unchanged.
        Tensor dX1 = dx1.shaped(n, d);
        be.add(dx2, ln2.backward(ffnBranchBackward(dx2)), dX1);
        // ln₁'s own parameters need the attention branch's input gradient even when dx is not wanted.
        boolean throughLn1 = needDx || ln1.gamma.trainable() || ln1.beta.trainable();
        Tensor dAttnIn = attentionBranchBackward(dX1, throughLn1);
        if (!throughLn1) {
            return null;
        }
        Tensor dLn1 = ln1.backward(dAttnIn);
        if (!needDx) {
            return null;
        }
        Tensor dX = dx.shaped(n, d);
        be.add(dX1, dLn1, dX);
        return dX;
    }
}
