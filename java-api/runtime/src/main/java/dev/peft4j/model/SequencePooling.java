package dev.peft4j.model;

import dev.peft4j.backend.Activation;
import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;

/**
 * An encoder's token states h {@code [B·T,d]} pooled into one vector per sequence {@code [B,d]}, as its config's
 * {@link Pooling} says, and the backward of that pooling:
 * <ul>
 *   <li>MEAN: pooled_b = Σ_t m_bt h_bt / max(1, Σ_t m_bt);</li>
 *   <li>CLS: pooled_b = h_b0;</li>
 *   <li>POOLER: z_b = h_b0 W_pᵀ + b_p, pooled_b = tanh(z_b); backward dz = dpooled ⊙ tanh'(z), dh_b0 = dz W_p (the
 *       pooler's own gradients only when it is trainable).</li>
 * </ul>
 * It keeps what its backward needs from the last forward (the mask, the gathered rows, z); the tensors it returns
 * are its buffers, valid until its next call.
 */
public final class SequencePooling implements AutoCloseable {
    private final BertModel encoder;
    private final Backend be;
    private final ReusedTensors owned;
    private final ReusedTensor pooled;   // [B,d]
    private final ReusedTensor cls;      // [B,d], the [CLS] rows (POOLER's input)
    private final ReusedTensor dz;       // [B,d], POOLER's dz
    private final ReusedTensor dh;       // [B·T,d]
    private Tensor mask;                 // [B,T] of the last forward (the caller's), or null
    private int[] clsRows;               // [B], the [CLS] rows b·T (CLS and POOLER), kept while B and T stay
    private int clsRowsStride;           // the T that clsRows was built for
    private int batch;
    private int seqLen;

    public SequencePooling(BertModel encoder) {
        this.encoder = encoder;
        this.be = encoder.backend();
        this.owned = new ReusedTensors(be);
        this.pooled = owned.next();
        this.cls = owned.next();
        this.dz = owned.next();
        this.dh = owned.next();
    }

    /** pooled {@code [B,d]} from h {@code [B·T,d]} and the key mask {@code [B,T]} (nullable: no padding). */
    public Tensor forward(Tensor h, Tensor mask, int b, int t) {
        int d = encoder.config().hidden();
        this.mask = mask;
        this.batch = b;
        this.seqLen = t;
        Tensor out = pooled.shaped(b, d);
        Pooling pooling = encoder.config().pooling();
        if (pooling == Pooling.MEAN) {
            be.meanPoolForward(h.view(b, t, d), mask, out);
            return out;
        }
        if (clsRows == null || clsRows.length != b || clsRowsStride != t) {
            clsRows = new int[b];
            for (int i = 0; i < b; i++) {
                clsRows[i] = i * t;
            }
            clsRowsStride = t;
        }
        if (pooling == Pooling.CLS) {
            be.embeddingForward(h, clsRows, out);
            return out;
        }
        Tensor x = cls.shaped(b, d);
        be.embeddingForward(h, clsRows, x);
        Tensor z = encoder.pooler().forward(x, new Pass(b, 1, null, false, 0), 0);
        be.activationForward(Activation.TANH, z, out);
        return out;
    }

    /** dh {@code [B·T,d]} from dpooled {@code [B,d]} of the last forward (zero at the rows the pooling did not read). */
    public Tensor backward(Tensor dPooled) {
        if (batch == 0) {
            throw new IllegalStateException("pooling backward before any forward");
        }
        int b = batch;
        int t = seqLen;
        int d = encoder.config().hidden();
        Tensor grad = dh.shaped(b * t, d);
        Pooling pooling = encoder.config().pooling();
        if (pooling == Pooling.MEAN) {
            be.meanPoolBackward(dPooled, mask, grad.view(b, t, d));
        } else if (pooling == Pooling.CLS) {
            be.embeddingBackward(dPooled, clsRows, grad);
        } else {
            Linear pooler = encoder.pooler();
            Tensor dZ = dz.shaped(b, d);
            be.activationBackward(Activation.TANH, dPooled, pooler.lastOutput(), dZ);
            be.embeddingBackward(pooler.backward(dZ, true), clsRows, grad);
        }
        return grad;
    }

    @Override
    public void close() {
        owned.close();
    }
}
