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
                 Activation activation, float dropout) {
        super(be, index, attention, ln1, ffnIn, ffnOut, ln2, activation, dropout);
    }

    @Override
    Tensor forward(Tensor x, Pass pass) {
        int n = x.dim(0);
        int d = x.dim(1);
        Tensor x1 = buf.get("x1", n, d);
        be.add(x, attentionBranch(ln1.forward(x), pass), x1);
        Tensor x2 = buf.get("x2", n, d);
        be.add(x1, ffnBranch(ln2.forward(x1), pass), x2);
        return x2;
    }

    @Override
    Tensor backward(Tensor dx2, boolean needDx) {
        int n = dx2.dim(0);
        int d = dx2.dim(1);
        // x₂ = x₁ + o and x₁ = x + a: each residual passes its gradient through unchanged.
        Tensor dx1 = buf.get("dx1", n, d);
        be.add(dx2, ln2.backward(ffnBranchBackward(dx2)), dx1);
        // ln₁'s own parameters need the attention branch's input gradient even when dx is not wanted.
        boolean throughLn1 = needDx || ln1.gamma.trainable() || ln1.beta.trainable();
        Tensor dAttnIn = attentionBranchBackward(dx1, throughLn1);
        if (!throughLn1) {
            return null;
        }
        Tensor dLn1 = ln1.backward(dAttnIn);
        if (!needDx) {
            return null;
        }
        Tensor dx = buf.get("dx", n, d);
        be.add(dx1, dLn1, dx);
        return dx;
    }
}
