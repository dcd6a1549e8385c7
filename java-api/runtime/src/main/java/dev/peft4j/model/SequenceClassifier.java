package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoder with a fresh classification head: pooled = pool(h) {@code [B,d]} ({@link SequencePooling}: mean over
 * tokens, [CLS], or [CLS] through the checkpoint's pooler), logits = pooled W_cᵀ + b_c {@code [B,C]}, loss = mean
 * cross-entropy. The head is always trainable.
 *
 * <p>With the pooler ({@link Pooling#POOLER}), a training pass drops the pooled vector before the head, logits =
 * drop_p(pooled) W_cᵀ + b_c with p the encoder's hidden dropout, as transformers' BertForSequenceClassification does
 * (its {@code classifier_dropout} when set is not read: p is always the hidden dropout). Mean and [CLS] pooling feed
 * the head undropped.
 */
public final class SequenceClassifier implements AutoCloseable {
    private final BertModel encoder;
    private final Backend be;
    private final int numLabels;
    private final Linear head;
    private final SequencePooling pooling;
    private final ReusedTensors owned;
    private final Saved saved;
    private final Scratch scratch;

    /** The head's dropout seed is the pass's site (layer = the encoder's layer count, this site). */
    static final int HEAD_DROPOUT_SITE = 0;

    /** What the forward and loss keep for the backward; the batch belongs to the caller, the tensors to this head. */
    private static final class Saved {
        Batch batch;
        boolean headDropped;            // whether the last forward dropped the pooled vector
        final ReusedTensor maskTensor;  // [B,T]
        final ReusedTensor probs;       // [B,C], softmax of the logits
        final ReusedTensor dropped;     // [B,d], drop_p(pooled)
        final ReusedTensor headMask;    // [B,d], its inverted-dropout mask

        Saved(ReusedTensors pool) {
            maskTensor = pool.next();
            probs = pool.next();
            dropped = pool.next();
            headMask = pool.next();
        }
    }

    /** Results and intermediates of one forward or backward. */
    private static final class Scratch {
        final ReusedTensor loss;           // [1]
        final ReusedTensor dLogits;        // [B,C]
        final ReusedTensor dPooledMasked;  // [B,d]

        Scratch(ReusedTensors pool) {
            loss = pool.next();
            dLogits = pool.next();
            dPooledMasked = pool.next();
        }
    }

    public SequenceClassifier(BertModel encoder, int numLabels, long seed) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 labels, got " + numLabels);
        }
        this.encoder = encoder;
        this.be = encoder.backend();
        this.numLabels = numLabels;
        this.head = Linear.classifierHead(be, encoder.config().hidden(), numLabels, seed);
        this.pooling = new SequencePooling(encoder);
        this.owned = new ReusedTensors(be);
        this.saved = new Saved(owned);
        this.scratch = new Scratch(owned);
    }

    public BertModel encoder() {
        return encoder;
    }

    /** The classification head. */
    Linear head() {
        return head;
    }

    public int numLabels() {
        return numLabels;
    }

    /** Logits {@code [B, C]} for the batch (a buffer, valid until the next forward). */
    public Tensor logits(Batch batch, boolean training, long seed) {
        return logits(batch, training, seed, false);
    }

    /**
     * Logits {@code [B, C]} for prediction (a buffer, valid until the next forward): no dropout, and when every
     * sequence of the mask is some tokens then padding, only the real rows are computed ({@link PackedRows}). The
     * same logits as {@code logits(batch, false, 0)}, but no backward may follow.
     */
    public Tensor inferenceLogits(Batch batch) {
        return logits(batch, false, 0L, true);
    }

    private Tensor logits(Batch batch, boolean training, long seed, boolean pack) {
        saved.batch = batch;
        int b = batch.batch();
        int t = batch.seqLen();
        Tensor mask = null;
        if (batch.mask() != null) {
            mask = saved.maskTensor.shaped(b, t);
            be.upload(batch.mask(), mask);
        }
        Pass pass = pack ? Pass.inference(b, t, batch.mask(), mask) : new Pass(b, t, mask, training, seed);
        Tensor pooled = pooling.forward(encoder.forward(batch.ids(), batch.types(), pass), mask, b, t);
        BertConfig config = encoder.config();
        saved.headDropped = training && config.pooling() == Pooling.POOLER && config.hiddenDropout() > 0;
        if (saved.headDropped) {
            Tensor x = saved.dropped.shaped(b, config.hidden());
            be.dropoutForward(pooled, config.hiddenDropout(), pass.siteSeed(config.layers(), HEAD_DROPOUT_SITE), x,
                    saved.headMask.shaped(b, config.hidden()));
            pooled = x;
        }
        return head.forward(pooled, new Pass(b, 1, null, training, seed), 0);
    }

    /** Mean cross-entropy of the batch's labels; keeps the probabilities for {@link #backward(float)}. */
    public float loss(Batch batch, boolean training, long seed) {
        return deviceLoss(batch, training, seed).toArray()[0];
    }

    /**
     * {@link #loss} for evaluation: no dropout, only the real rows computed, as in {@link #inferenceLogits}; keeps
     * the probabilities, but no backward may follow.
     */
    public float inferenceLoss(Batch batch) {
        return deviceLoss(batch, false, 0L, true).toArray()[0];
    }

    /**
     * {@link #loss} left on the backend's device: a {@code [1]} buffer of this classifier, valid until the next call,
     * so a training step can queue its backward without waiting for the loss.
     */
    public Tensor deviceLoss(Batch batch, boolean training, long seed) {
        return deviceLoss(batch, training, seed, false);
    }

    private Tensor deviceLoss(Batch batch, boolean training, long seed, boolean pack) {
        if (batch.labels() == null) {
            throw new IllegalArgumentException("loss needs labels");
        }
        for (int label : batch.labels()) {
            if (label < 0 || label >= numLabels) {
                throw new IllegalArgumentException("label " + label + " is outside [0, " + numLabels + ")");
            }
        }
        Tensor logits = logits(batch, training, seed, pack);
        Tensor loss = scratch.loss.shaped(1);
        be.crossEntropyForward(logits, batch.labels(), saved.probs.shaped(batch.batch(), numLabels), loss);
        return loss;
    }

    /** Class probabilities {@code [B, C]} of the last {@link #loss} call, on the host. */
    public float[] lastProbabilities() {
        return saved.probs.saved().toArray();
    }

    /** Gradients of {@code scale}·loss for every trainable parameter (scale = 1/accumulation steps). */
    public void backward(float scale) {
        if (encoder.lastPassPacked()) {
            throw new IllegalStateException("the last forward was for inference (inferenceLogits or inferenceLoss),"
                    + " which keeps nothing for a backward; use loss or deviceLoss");
        }
        Batch batch = saved.batch;
        Tensor dLogits = scratch.dLogits.shaped(batch.batch(), numLabels);
        be.crossEntropyBackward(saved.probs.saved(), batch.labels(), scale, dLogits);
        Tensor dPooled = head.backward(dLogits, true);
        if (saved.headDropped) {
            Tensor masked = scratch.dPooledMasked.shaped(dPooled.shape());
            be.mul(dPooled, saved.headMask.saved(), masked);
            dPooled = masked;
        }
        encoder.backward(pooling.backward(dPooled));
    }

    /** The encoder's parameters, then the head's. */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>(encoder.parameters());
        head.collect(out);
        return out;
    }

    public List<Parameter> trainableParameters() {
        return parameters().stream().filter(Parameter::trainable).toList();
    }

    @Override
    public void close() {
        owned.close();
        pooling.close();
        head.close();
        head.weight.close();
        head.bias.close();
        encoder.close();
    }
}
