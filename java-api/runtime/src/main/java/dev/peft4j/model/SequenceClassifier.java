package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoder with a fresh classification head: pooled = pool(h) {@code [B,d]} (mean over tokens or [CLS]),
 * logits = pooled W_cᵀ + b_c {@code [B,C]}, loss = mean cross-entropy. The head is always trainable.
 */
public final class SequenceClassifier implements AutoCloseable {
    private final BertModel encoder;
    private final Backend be;
    private final int numLabels;
    private final Linear head;
    private final Buffers buf;
    private Batch batch;
    private Tensor mask;
    private int[] clsRows;

    public SequenceClassifier(BertModel encoder, int numLabels, long seed) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 labels, got " + numLabels);
        }
        this.encoder = encoder;
        this.be = encoder.backend();
        this.numLabels = numLabels;
        this.head = Linear.classifierHead(be, encoder.config().hidden(), numLabels, seed);
        this.buf = new Buffers(be);
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
        this.batch = batch;
        int b = batch.batch();
        int t = batch.seqLen();
        int d = encoder.config().hidden();
        mask = null;
        if (batch.mask() != null) {
            mask = buf.get("mask", b, t);
            be.upload(batch.mask(), mask);
        }
        Tensor h = encoder.forward(batch.ids(), batch.types(), new Pass(b, t, mask, training, seed));
        Tensor pooled = buf.get("pooled", b, d);
        clsRows = pool(encoder, h, mask, b, t, pooled);
        return head.forward(pooled, new Pass(b, 1, null, training, seed), 0);
    }

    /**
     * pooled {@code [B,d]} = the mean of h {@code [B·T,d]} over each sequence's tokens (mask nullable) or its [CLS]
     * row, as the encoder's config says; returns the [CLS] rows gathered (for the backward), or null for mean pooling.
     */
    static int[] pool(BertModel encoder, Tensor h, Tensor mask, int b, int t, Tensor pooled) {
        Backend be = encoder.backend();
        if (encoder.config().pooling() == Pooling.MEAN) {
            be.meanPoolForward(h.view(b, t, encoder.config().hidden()), mask, pooled);
            return null;
        }
        int[] rows = new int[b];
        for (int i = 0; i < b; i++) {
            rows[i] = i * t;
        }
        be.embeddingForward(h, rows, pooled);
        return rows;
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
        Tensor loss = buf.get("loss", 1);
        be.crossEntropyForward(logits, batch.labels(), buf.get("probs", batch.batch(), numLabels), loss);
        return loss;
    }

    /** Class probabilities {@code [B, C]} of the last {@link #loss} call, on the host. */
    public float[] lastProbabilities() {
        return buf.get("probs", batch.batch(), numLabels).toArray();
    }

    /** Gradients of {@code scale}·loss for every trainable parameter (scale = 1/accumulation steps). */
    public void backward(float scale) {
        int b = batch.batch();
        int t = batch.seqLen();
        int d = encoder.config().hidden();
        Tensor dLogits = buf.get("dLogits", b, numLabels);
        be.crossEntropyBackward(buf.get("probs", b, numLabels), batch.labels(), scale, dLogits);
        Tensor dPooled = head.backward(dLogits, true);
        Tensor dh = buf.get("dh", b * t, d);
        if (encoder.config().pooling() == Pooling.MEAN) {
            be.meanPoolBackward(dPooled, mask, dh.view(b, t, d));
        } else {
            be.embeddingBackward(dPooled, clsRows, dh);
        }
        encoder.backward(dh);
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
        buf.close();
        head.close();
        head.weight.close();
        head.bias.close();
        encoder.close();
    }
}
