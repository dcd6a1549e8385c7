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
    private boolean dropped;

    DecoderLayer(Backend be, int index, LayerNorm ln1, SelfAttention attention, LayerNorm ln2, Linear ffnIn, Linear ffnOut,
                 Activation activation, float dropout) {
        super(be, index, attention, ln1, ffnIn, ffnOut, ln2, activation, dropout);
    }

    @Override
    Tensor forward(Tensor x, Pass pass) {
        int n = x.dim(0);
        int d = x.dim(1);
        dropped = pass.training() && dropout > 0;
        Tensor a = attention.forward(ln1.forward(x), pass, pass.siteSeed(index, 0));
        if (dropped) {
            a = dropout(a, pass, 10, "attnMask");
        }
        if (attnAdapter != null) {
            a = attnAdapter.forward(a, a);
        }
        Tensor x1 = buf.get("x1", n, d);
        be.add(x, a, x1);
        Tensor g = ln2.forward(x1);
        Tensor o = feedForward(g, pass);
        if (dropped) {
            o = dropout(o, pass, 40, "ffnMask");
        }
        if (ffnAdapter != null) {
            o = ffnAdapter.forward(o, o);
        }
        if (parallelAdapter != null) {
            o = parallelAdapter.forward(g, o);
        }
        Tensor x2 = buf.get("x2", n, d);
        be.add(x1, o, x2);
        return x2;
    }

    @Override
    Tensor backward(Tensor dx2) {
        int n = dx2.dim(0);
        int d = dx2.dim(1);
        // x₂ = x₁ + o: both get dx₂; g collects the FFN's and the parallel adapter's gradients.
        Tensor dOut = dx2;
        Tensor dParallel = parallelAdapter == null ? null : parallelAdapter.backward(dx2);
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
        Tensor dg = feedForwardBackward(dOut);
        if (dParallel != null) {
            be.add(dg, dParallel, dg);
        }
        Tensor dx1 = buf.get("dx1", n, d);
        be.add(dx2, ln2.backward(dg), dx1);

        Tensor da = dx1;
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
        be.add(dx1, ln1.backward(attention.backward(da)), dx);
        return dx;
    }
}
