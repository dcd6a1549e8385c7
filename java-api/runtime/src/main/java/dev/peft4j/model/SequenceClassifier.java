package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoder with a fresh classification head: pooled = pool(h) {@code [B,d]} ({@link SequencePooling}: mean over
 * tokens, [CLS], or [CLS] through the checkpoint's pooler), logits = pooled W_cᵀ + b_c {@code [B,C]}, loss = mean
 * cross-entropy. The head is always trainable.
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

    /** What the forward and loss keep for the backward; the batch belongs to the caller, the tensors to this head. */
    private static final class Saved {
        Batch batch;
        final ReusedTensor maskTensor; // [B,T]
        final ReusedTensor probs;      // [B,C], softmax of the logits

        Saved(ReusedTensors pool) {
            maskTensor = pool.next();
            probs = pool.next();
        }
    }

    /** Results and intermediates of one forward or backward. */
    private static final class Scratch {
        final ReusedTensor loss;     // [1]
        final ReusedTensor dLogits;  // [B,C]

        Scratch(ReusedTensors pool) {
            loss = pool.next();
            dLogits = pool.next();
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
        saved.batch = batch;
        int b = batch.batch();
        int t = batch.seqLen();
        Tensor mask = null;
        if (batch.mask() != null) {
            mask = saved.maskTensor.shaped(b, t);
            be.upload(batch.mask(), mask);
        }
        Tensor h = encoder.forward(batch.ids(), batch.types(), new Pass(b, t, mask, training, seed));
        return head.forward(pooling.forward(h, mask, b, t), new Pass(b, 1, null, training, seed), 0);
    }

    /** Mean cross-entropy of the batch's labels; keeps the probabilities for {@link #backward(float)}. */
    public float loss(Batch batch, boolean training, long seed) {
        return deviceLoss(batch, training, seed).toArray()[0];
    }

    /**
     * {@link #loss} left on the backend's device: a {@code [1]} buffer of this classifier, valid until the next call,
     * so a training step can queue its backward without waiting for the loss.
     */
    public Tensor deviceLoss(Batch batch, boolean training, long seed) {
        if (batch.labels() == null) {
            throw new IllegalArgumentException("loss needs labels");
        }
        for (int label : batch.labels()) {
            if (label < 0 || label >= numLabels) {
                throw new IllegalArgumentException("label " + label + " is outside [0, " + numLabels + ")");
            }
        }
        Tensor logits = logits(batch, training, seed);
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
        Batch batch = saved.batch;
        Tensor dLogits = scratch.dLogits.shaped(batch.batch(), numLabels);
        be.crossEntropyBackward(saved.probs.saved(), batch.labels(), scale, dLogits);
        encoder.backward(pooling.backward(head.backward(dLogits, true)));
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
