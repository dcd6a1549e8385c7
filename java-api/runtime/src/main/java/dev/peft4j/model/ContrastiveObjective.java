package dev.peft4j.model;

import dev.peft4j.backend.Backend;
import dev.peft4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Contrastive training of an encoder's embeddings with in-batch negatives: the multiple-negatives ranking loss of
 * sentence-transformers. A batch of B (anchor, positive) pairs is one {@link Batch} of 2B sequences, the B anchors
 * first and then the B positives (sequence B+i is the positive of anchor i); every other positive in the batch is a
 * negative of anchor i.
 *
 * <p>Forward: hidden h = encoder(ids) {@code [2B·T, d]}; pooled v {@code [2B, d]} as the encoder's config says
 * ({@link SequencePooling}: the mean of h over each sequence's unmasked tokens, its [CLS] row, or that row through
 * the checkpoint's pooler); then, in float64 on
 * the host ({@link InBatchNegativesLoss}): e = v/‖v‖, S = a pᵀ/τ {@code [B, B]}, loss = mean_i CE(S[i,:], i).
 *
 * <p>Backward: dv {@code [2B, d]} from {@link InBatchNegativesLoss} (dS = (softmax(S) − I)/B, da = dS p/τ,
 * dp = dSᵀ a/τ, dv = (de − e(e·de))/‖v‖); through the pooling's backward to dh {@code [2B·T, d]}; then the
 * encoder's backward fills every trainable parameter's gradient.
 *
 * <p>τ = {@value #DEFAULT_TEMPERATURE} by default: sentence-transformers' scale 20 = 1/τ. The encoder stays the
 * caller's: {@link #close()} frees only this objective's buffers.
 */
public final class ContrastiveObjective implements AutoCloseable {
    /** sentence-transformers' default: scale 20. */
    public static final float DEFAULT_TEMPERATURE = 0.05f;

    private final BertModel encoder;
    private final Backend be;
    private final float temperature;
    private final InBatchNegativesLoss loss;
    private final SequencePooling pooling;
    private Tensor mask;
    private Tensor dPooled;
    private int sequences;
    private boolean forwarded;

    /** The objective on {@code encoder} with temperature τ (> 0). */
    public ContrastiveObjective(BertModel encoder, float temperature) {
        if (encoder == null) {
            throw new IllegalArgumentException("encoder is null");
        }
        this.encoder = encoder;
        this.be = encoder.backend();
        this.temperature = temperature;
        this.loss = new InBatchNegativesLoss(temperature);
        this.pooling = new SequencePooling(encoder);
    }

    /** The objective with τ = {@value #DEFAULT_TEMPERATURE}. */
    public ContrastiveObjective(BertModel encoder) {
        this(encoder, DEFAULT_TEMPERATURE);
    }

    public BertModel encoder() {
        return encoder;
    }

    public float temperature() {
        return temperature;
    }

    /**
     * The mean loss over the batch's B pairs (anchors in sequences 0..B−1, positives in B..2B−1; the batch's labels,
     * when present, are the pairs' groups: a positive of anchor i's group is not one of its negatives); keeps what
     * {@link #backward(float)} needs. {@code training} turns dropout on, drawn from {@code seed}.
     */
    public double loss(Batch pairs, boolean training, long seed) {
        if (pairs.batch() < 2 || pairs.batch() % 2 != 0) {
            throw new IllegalArgumentException("a pair batch holds 2B sequences (B anchors, then B positives), got "
                    + pairs.batch());
        }
        int n = pairs.batch();
        int t = pairs.seqLen();
        int d = encoder.config().hidden();
        sequences = n;
        if (pairs.mask() != null) {
            mask = sized(mask, n, t);
            be.upload(pairs.mask(), mask);
        } else {
            closeQuietly(mask);
            mask = null;
        }
        Tensor h = encoder.forward(pairs.ids(), pairs.types(), new Pass(n, t, mask, training, seed));
        Tensor pooled = pooling.forward(h, mask, n, t);
        int[] groups = pairs.labels() == null ? null : java.util.Arrays.copyOf(pairs.labels(), n / 2);
        double value = loss.forward(pooled.toArray(), n, d, groups);
        forwarded = true;
        return value;
    }

    /** softmax(S) {@code [B, B]} of the last {@link #loss} call: row i is anchor i's distribution over positives. */
    public double[] lastProbabilities() {
        if (!forwarded) {
            throw new IllegalStateException("no loss computed yet");
        }
        return loss.probabilities();
    }

    /** Gradients of {@code scale}·loss for every trainable parameter of the encoder (scale = 1/accumulation steps). */
    public void backward(float scale) {
        if (!forwarded) {
            throw new IllegalStateException("backward before loss");
        }
        int n = sequences;
        int d = encoder.config().hidden();
        dPooled = sized(dPooled, n, d);
        be.upload(loss.backward(scale), dPooled);
        encoder.backward(pooling.backward(dPooled));
    }

    /** The encoder's trainable parameters (the objective adds none). */
    public List<Parameter> trainableParameters() {
        return encoder.trainableParameters();
    }

    /** {@code t} if it already has {@code shape}, else a new zero tensor of that shape ({@code t} is closed). */
    private Tensor sized(Tensor t, int... shape) {
        if (t != null && Arrays.equals(t.shape(), shape)) {
            return t;
        }
        closeQuietly(t);
        return be.allocate(shape);
    }

    private static void closeQuietly(Tensor t) {
        if (t != null) {
            t.close();
        }
    }

    /** Frees this objective's buffers; the encoder is left open. */
    @Override
    public void close() {
        closeQuietly(mask);
        closeQuietly(dPooled);
        mask = dPooled = null;
        pooling.close();
        forwarded = false;
    }
}
