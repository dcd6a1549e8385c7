package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoder with a fresh per-token classification head (NER, POS tagging): logits = h W_cᵀ + b_c
 * {@code [B·T, C]}, loss = mean cross-entropy over the tokens whose label is not {@link Backend#IGNORE_INDEX}
 * (padding, special tokens, word-piece continuations). The head is always trainable.
 */
public final class TokenClassifier implements AutoCloseable {
    private final BertModel encoder;
    private final Backend be;
    private final int numLabels;
    private final Linear head;
    private final ReusedTensor mask;     // [B,T], the batch's key mask on the device (the encoder's pass reads it)
    private final ReusedTensor probs;    // [B·T,C], softmax of the logits (saved for the backward)
    private final ReusedTensor dLogits;  // [B·T,C]
    private int[] labels;                // [B·T], the loss's labels (saved for the backward; the caller's array)

    public TokenClassifier(BertModel encoder, int numLabels, long seed) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("a token classifier needs at least 2 labels, got " + numLabels);
        }
        this.encoder = encoder;
        this.be = encoder.backend();
        this.numLabels = numLabels;
        this.head = Linear.classifierHead(be, encoder.config().hidden(), numLabels, seed);
        this.mask = new ReusedTensor(be);
        this.probs = new ReusedTensor(be);
        this.dLogits = new ReusedTensor(be);
    }

    public BertModel encoder() {
        return encoder;
    }

    /** Logits {@code [B·T, C]} (a buffer, valid until the next forward). */
    public Tensor logits(Batch batch, boolean training, long seed) {
        Tensor mask = null;
        if (batch.mask() != null) {
            mask = this.mask.shaped(batch.batch(), batch.seqLen());
            be.upload(batch.mask(), mask);
        }
        Pass pass = new Pass(batch.batch(), batch.seqLen(), mask, training, seed);
        Tensor h = encoder.forward(batch.ids(), batch.types(), pass);
        return head.forward(h, pass, 0);
    }

    /**
     * Mean cross-entropy of per-token labels {@code [B·T]} (−100 = ignored); keeps the probabilities for the
     * backward.
     */
    public float loss(Batch batch, int[] tokenLabels, boolean training, long seed) {
        int n = batch.batch() * batch.seqLen();
        if (tokenLabels == null || tokenLabels.length != n) {
            throw new IllegalArgumentException("token labels must have B·T = " + n + " entries, got "
                    + (tokenLabels == null ? "null" : tokenLabels.length));
        }
        for (int i = 0; i < n; i++) {
            if (tokenLabels[i] != Backend.IGNORE_INDEX && (tokenLabels[i] < 0 || tokenLabels[i] >= numLabels)) {
                throw new IllegalArgumentException("token label [" + i + "] = " + tokenLabels[i] + " is outside [0, "
                        + numLabels + ") and is not " + Backend.IGNORE_INDEX);
            }
        }
        this.labels = tokenLabels;
        Tensor logits = logits(batch, training, seed);
        return be.crossEntropyForward(logits, tokenLabels, probs.shaped(n, numLabels));
    }

    /** Gradients of {@code scale}·loss for every trainable parameter. */
    public void backward(float scale) {
        int n = labels.length;
        Tensor dl = dLogits.shaped(n, numLabels);
        be.crossEntropyBackward(probs.saved(), labels, scale, dl);
        encoder.backward(head.backward(dl, true));
    }

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
        mask.close();
        probs.close();
        dLogits.close();
        head.close();
        head.weight.close();
        head.bias.close();
        encoder.close();
    }
}
